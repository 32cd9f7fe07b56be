"""A fourth kind of dataset, defined outside the package in one module with one registration,
works end to end: presets and the command line read its settings, `render` draws it, `validate`
checks it (its images against its latents) and the loader reads it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from conftest import run_blender

from identbox.dataset.loader import IdentBoxPairs

# The whole kind, in a module of its own: nothing in the package is edited for it.
KINDS = Path(__file__).resolve().parent / "kinds"


def identbox_with_kind(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m identbox ARGS` in a process that imported the new kind's module first."""
    code = ("import sys, one_colour_kind\nfrom identbox.cli import main\n"
            "sys.exit(main(sys.argv[1:]))")
    env = dict(os.environ, PYTHONPATH=str(KINDS))
    return subprocess.run([sys.executable, "-c", code, *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)


def test_a_new_kind_renders_validates_and_loads(tmp_path: Path) -> None:
    preset = tmp_path / "one_colour.json"
    preset.write_text(json.dumps({"kind": "one_colour", "n_pairs": 5, "seed": 3,
                                  "render": {"resolution": 16}}))
    out = tmp_path / "data"
    rendered = identbox_with_kind(tmp_path, "render", "--preset", str(preset), "--out", str(out))
    assert rendered.returncode == 0, rendered.stderr
    assert "5/5 pairs" in rendered.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["settings"]["kind"] == "one_colour"
    assert manifest["columns"][0]["name"] == "hue_background"

    checked = identbox_with_kind(tmp_path, "validate", str(out), "--json")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    report = json.loads(checked.stdout)
    names = [check["name"] for check in report["checks"]]
    assert any("ground hue" in name for name in names), names  # images checked against latents

    # Swapping two pairs' images must fail the same check: validate really looked.
    for view in ("m1", "m2"):
        first, third = (out / "samples" / view / f"{i:06d}.png" for i in (0, 2))
        first_bytes = first.read_bytes()
        first.write_bytes(third.read_bytes())
        third.write_bytes(first_bytes)
    swapped = identbox_with_kind(tmp_path, "validate", str(out), "--json")
    assert swapped.returncode == 1
    failed = [c["name"] for c in json.loads(swapped.stdout)["checks"] if not c["ok"]]
    assert any("ground hue" in name for name in failed), failed

    pairs = IdentBoxPairs(out, tensors=False)
    x1, x2, z1, z2 = pairs[1]
    assert len(pairs) == 5 and x1.shape == (16, 16, 3) and np.array_equal(x1, x2)
    assert z1.shape == (1,) and np.array_equal(z1, z2)


def test_an_unregistered_kind_is_one_clear_line(tmp_path: Path) -> None:
    preset = tmp_path / "p.json"
    preset.write_text(json.dumps({"kind": "one_colour"}))
    done = subprocess.run([sys.executable, "-m", "identbox", "sample", "--preset", str(preset),
                           "--out", str(tmp_path / "o")], capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.strip() == textwrap.dedent(
        "identbox: error: kind = 'one_colour' is not allowed: one of pairs, multi, cube, "
        "multimodal3dident, sequence")


def test_every_part_of_every_kind_loads() -> None:
    """Each kind's parts named in the table (writer, job, validator, estimate, sample, ...)
    import and are callable: a typo in a part's string surfaced only when it was used. The
    parts that need Blender (renderer, preview) are checked in the Blender tests."""
    import dataclasses

    from identbox.settings.kinds import kinds, load

    needs_blender = {"renderer", "preview"}
    for kind in kinds():
        for field in dataclasses.fields(kind):
            part = getattr(kind, field.name)
            if field.name in needs_blender or not (isinstance(part, str) and ":" in part):
                continue
            assert callable(load(part)), (kind.name, field.name, part)


@pytest.mark.blender
def test_the_blender_parts_of_every_kind_load(tmp_path: Path) -> None:
    """The renderer and preview parts of every kind import where Blender runs."""
    result = run_blender("""
        from identbox.settings.kinds import kinds, load
        loaded = {f"{kind.name}.{name}": callable(load(getattr(kind, name)))
                  for kind in kinds() for name in ("renderer", "preview")
                  if getattr(kind, name) is not None}
        report({"loaded": loaded})
    """, tmp_path)
    assert result["loaded"] and all(result["loaded"].values()), result
