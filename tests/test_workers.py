"""Several workers on one shard (issue 14 item 4): claims keep processes off each other's
pairs, a multi-worker render gives the bytes of a one-worker render, and a multi-worker run
killed (a worker, then the parent, with SIGKILL) resumes to the same files."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from identbox.dataset.files.claims import claim, claim_path
from identbox.dataset.files.layout import is_complete_image
from identbox.dataset.files.temporaries import is_zombie, remove_abandoned

ARGS = ["--n-pairs", "40", "--resolution", "32", "--samples", "2", "--seed", "7"]
HOLD = """
import sys, time
from pathlib import Path
from identbox.dataset.files.claims import claim
held = claim(Path(sys.argv[1]))
print("held" if held else "busy", flush=True)
time.sleep(60)
"""


def render(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "identbox", "render", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=600)


def files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def holder(first: Path) -> subprocess.Popen[str]:
    """A process that claims `first`'s item and keeps it; it has said so when this returns."""
    process = subprocess.Popen([sys.executable, "-c", HOLD, str(first)], text=True,
                               stdout=subprocess.PIPE)
    assert process.stdout is not None and process.stdout.readline().strip() == "held"
    return process


def test_a_claim_excludes_other_processes_until_its_process_ends(tmp_path: Path) -> None:
    first = tmp_path / "000003.png"
    other = holder(first)
    try:
        assert claim(first) is None  # held elsewhere
        assert remove_abandoned([tmp_path]) == []  # a live claim is kept
        assert claim_path(first).exists()
    finally:
        other.kill()
        other.wait()
    # Killed (as kill -9 would): the lock went with it; the claim file is free to take or
    # delete, and a run's cleanup deletes it as a leftover.
    assert remove_abandoned([tmp_path]) == [claim_path(first)]
    with claim(first) as mine:
        assert mine is not None and mine.exclusive and claim_path(first).exists()
        assert claim(tmp_path / "000004.png") is not None  # other items stay free
    assert not claim_path(first).exists()  # released: nothing left in the folder




def drawn_by(stderr: str) -> list[int]:
    """Pairs each worker drew, from the parent's 'worker K drew N pairs' lines."""
    return [int(line.split()[4]) for line in stderr.splitlines()
            if line.startswith("render: worker ") and " drew " in line]


@pytest.mark.blender
def test_two_workers_write_the_bytes_of_one_worker(tmp_path: Path) -> None:
    """Both workers draw pairs, the parent prints one progress line for them, and every file
    (images, latents, manifest) equals a one-worker run's, with nothing temporary left."""
    two = render(*ARGS, "--out", "two", "--workers", "2", cwd=tmp_path)
    assert two.returncode == 0, two.stderr
    drew = drawn_by(two.stderr)
    assert len(drew) == 2 and sum(drew) == 40 and min(drew) > 0, two.stderr
    assert "render: 40/40 pairs (100.0%)" in two.stderr and "ETA" in two.stderr
    assert sum(line.startswith("render: 40/40 pairs (100.0%)")
               for line in two.stderr.splitlines()) == 1  # the last line once, not per worker
    one = render(*ARGS, "--out", "one", cwd=tmp_path)
    assert one.returncode == 0, one.stderr
    two_files, one_files = files(tmp_path / "two"), files(tmp_path / "one")
    assert sum(name.endswith(".png") for name in one_files) == 80
    assert not [name for name in two_files if name.endswith(".tmp")]
    assert two_files.keys() == one_files.keys()
    assert [name for name in one_files if one_files[name] != two_files[name]] == []


def children(pid: int) -> list[int]:
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return [int(word) for word in text.split()]


def pngs(root: Path) -> list[Path]:
    return sorted(root.glob("samples/m*/*.png"))


def wait_for(condition, what: str, seconds: float = 180) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return is_zombie(pid)


@pytest.mark.blender
def test_a_killed_multi_worker_run_resumes_to_the_same_files(tmp_path: Path) -> None:
    """SIGKILL to one worker: the other carries on. SIGKILL to the parent: the worker left
    stops after its pair. Every image on disk is whole, and running the command again
    completes the dataset with the bytes of an uninterrupted one-worker run."""
    args = [*ARGS, "--n-pairs", "60", "--out", "k", "--workers", "2"]
    parent = subprocess.Popen([sys.executable, "-m", "identbox", "render", *args],
                              cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              text=True)
    root = tmp_path / "k"
    wait_for(lambda: len(pngs(root)) >= 6, "the workers' first pairs")
    first, second = children(parent.pid)
    os.kill(first, signal.SIGKILL)
    seen = len(pngs(root))
    wait_for(lambda: len(pngs(root)) >= seen + 6, "the other worker to carry on")
    assert parent.poll() is None, "the run finished before its parent could be killed"
    parent.kill()
    parent.wait()
    assert parent.stderr is not None
    parent.stderr.close()
    wait_for(lambda: gone(second), "the worker to stop once its parent is gone", 60)
    drawn = pngs(root)
    assert 12 <= len(drawn) < 120 and all(map(is_complete_image, drawn))

    again = render(*args, cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    whole = render(*ARGS, "--n-pairs", "60", "--out", "whole", cwd=tmp_path)
    assert whole.returncode == 0, whole.stderr
    resumed, expected = files(root), files(tmp_path / "whole")
    assert resumed.keys() == expected.keys()  # complete, and no temporary or claim file left
    assert [name for name in expected if expected[name] != resumed[name]] == []


@pytest.mark.blender
@pytest.mark.parametrize(("value", "said"), [
    ("many", "argument --workers: 'many' is not a count or auto"),
    ("65", "workers = 65 is not allowed: an integer in [0, 64]"),
    ("-1", "workers = -1 is not allowed: an integer in [0, 64]")])
def test_a_bad_workers_value_is_one_line_and_writes_nothing(tmp_path: Path, value: str,
                                                            said: str) -> None:
    done = render("--n-pairs", "2", "--out", "d", "--workers", value, cwd=tmp_path)
    assert done.returncode == 2
    assert said in done.stderr and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert not (tmp_path / "d").exists()
