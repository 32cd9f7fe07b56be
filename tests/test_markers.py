"""The `blender` marker tells the truth: a test without it cannot start Blender (conftest.py),
so `pytest -m "not blender"` runs on a machine without Blender or names the test that needs it."""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from conftest import UNMARKED, _NoBlender


def test_an_unmarked_test_cannot_import_bpy_in_a_subprocess() -> None:
    done = subprocess.run([sys.executable, "-c", "import bpy"], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode != 0 and UNMARKED in done.stderr, done.stderr


def test_an_unmarked_test_cannot_run_a_blender_from_the_path() -> None:
    blender = shutil.which("blender")
    assert blender is not None
    done = subprocess.run([blender, "--version"], capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and UNMARKED in done.stderr


def test_an_unmarked_test_cannot_import_bpy_here() -> None:
    """In this process the guard is the first import finder (bpy imported into this process by
    an earlier marked test would stay importable, so the finder itself is checked)."""
    guard = sys.meta_path[0]
    assert isinstance(guard, _NoBlender)
    with pytest.raises(ImportError, match="not marked"):
        guard.find_spec("bpy")
    assert guard.find_spec("numpy") is None  # everything else imports as usual


@pytest.mark.blender
def test_a_marked_test_imports_bpy() -> None:
    done = subprocess.run([sys.executable, "-c", "import bpy; print(bpy.app.version_string)"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
