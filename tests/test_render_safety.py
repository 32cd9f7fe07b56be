"""Real renders (bpy wheel) under concurrency and faults (issue 12 items 7 and 9): processes
sharing one shard never break each other, and a run whose latents change on disk stops."""

from __future__ import annotations

import shlex
import subprocess
import sys
import time
from pathlib import Path

import pytest

from identbox.dataset.checking.validate import validate_pairs
from identbox.dataset.files.layout import is_complete_image

pytestmark = pytest.mark.blender
TINY = ["--n-pairs", "12", "--resolution", "16", "--samples", "1", "--seed", "4"]


def identbox(*args: str, cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "identbox", *args], cwd=cwd, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def drew(stderr: str) -> int:
    """Pairs a run drew itself, from its 'render: drew N pairs' line (0 when none)."""
    lines = [ln for ln in stderr.splitlines() if ln.startswith("render: drew ")]
    return int(lines[0].split()[2]) if lines else 0


def test_three_processes_on_one_shard_all_succeed(tmp_path: Path) -> None:
    """Three runs of the same shard started together, into a new folder each round: all exit
    0, nothing temporary is left, and the dataset validates."""
    overlapped = 0
    for round_ in range(3):
        out = f"d{round_}"
        runs = [identbox("render", *TINY, "--out", out, cwd=tmp_path) for _ in range(3)]
        results = [(run.wait(timeout=120), *run.communicate()) for run in runs]
        for code, _, stderr in results:
            assert code == 0, stderr
        overlapped += sum(drew(stderr) > 0 for _, _, stderr in results) > 1
        root = tmp_path / out
        assert not [p for p in root.rglob("*") if p.name.endswith(".tmp")]
        pngs = sorted(root.glob("samples/m*/*.png"))
        assert len(pngs) == 24 and all(map(is_complete_image, pngs))
        assert [c for c in validate_pairs(root, 4) if not c.ok] == []
    assert overlapped, "no round had two processes drawing at once: the test tested nothing"


def test_latents_edited_mid_run_stop_it_and_reproduce_puts_them_back(tmp_path: Path) -> None:
    """The run exits non-zero naming the file and the command to regenerate it; the images it
    drew stay; that command restores the latents byte for byte and completes the dataset."""
    args = ["--n-pairs", "150", "--resolution", "16", "--samples", "1", "--seed", "6"]
    run = identbox("render", *args, "--out", "d", cwd=tmp_path)
    root = tmp_path / "d"
    latents = root / "factors/m1/latents.npy"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and run.poll() is None:
        if len(list(root.glob("samples/m1/*.png"))) >= 3:
            break
        time.sleep(0.005)
    assert run.poll() is None, "the run finished before its latents could be changed"
    original = latents.read_bytes()
    with latents.open("r+b") as handle:  # in place, as a stray script would
        handle.seek(-8, 2)
        handle.write(b"\x00" * 8 if original[-8:] != b"\x00" * 8 else b"\x01" * 8)
    _, stderr = run.communicate(timeout=120)
    assert run.returncode == 1  # the machine changed the files, not bad input
    error = stderr.strip().splitlines()[-1]
    assert "d/factors/m1/latents.npy changed on disk while this run rendered" in error
    pngs = sorted(root.glob("samples/m*/*.png"))
    assert 6 <= len(pngs) < 300 and all(map(is_complete_image, pngs))  # kept; stopped early

    command = shlex.split(error.rsplit(": ", 1)[1])
    assert command[:4] == ["python", "-m", "identbox", "reproduce"]
    redo = subprocess.run([sys.executable, *command[1:]], cwd=tmp_path, capture_output=True,
                          text=True, timeout=300)
    assert redo.returncode == 0, redo.stderr
    assert "wrote again from the manifest: factors/m1/latents.npy" in redo.stderr
    assert latents.read_bytes() == original
    assert all(p.exists() for p in pngs)
    assert [c for c in validate_pairs(root, 4) if not c.ok] == []
