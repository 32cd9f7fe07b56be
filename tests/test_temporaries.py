"""Temporary files of stopped runs (issue 12 items 7 and 8): removed only when their writer is
gone, so processes sharing a dataset never delete each other's; and reported when removed."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from identbox.dataset.files.temporaries import (
    HOST,
    STALE_SECONDS,
    is_abandoned,
    is_zombie,
    temporary_path,
)
from identbox.dataset.writing.writer import write_latents
from identbox.render.loop import ImageJob
from identbox.settings.pairs import DatasetSettings


def dead_pid() -> int:
    """The PID of a process that has exited (and been reaped)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def touch(path: Path, age: float = 0.0) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"partial")
    written = time.time() - age
    os.utime(path, (written, written))
    return path


def test_only_temporaries_of_gone_writers_are_abandoned(tmp_path: Path) -> None:
    live = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        time.sleep(0.1)
        mine = touch(temporary_path(tmp_path / "000001.png"))
        running = touch(tmp_path / f".000002.png.{HOST}.{live.pid}.tmp")
        stopped = touch(tmp_path / f".000003.png.{HOST}.{dead_pid()}.tmp")
        # PID 1 started at boot, before this file: it may be its writer
        old_writer = touch(tmp_path / f".000004.png.{HOST}.1.tmp", age=600)
        # The live process started long after this file was written: its PID was reused
        reused = touch(tmp_path / f".000005.png.{HOST}.{live.pid}.tmp", age=600)
        other_host = touch(tmp_path / f".000006.png.elsewhere.{dead_pid()}.tmp")
        other_host_old = touch(tmp_path / ".000007.png.elsewhere.12.tmp", age=STALE_SECONDS + 5)
        unknown_name = touch(tmp_path / ".latents.npy.k2j4h1x9.tmp")
        unknown_old = touch(tmp_path / ".latents.npy.a8d7c6b5.tmp", age=STALE_SECONDS + 5)
        assert [p.name for p in (mine, running, old_writer, other_host, unknown_name)
                if is_abandoned(p)] == []
        assert all(is_abandoned(p) for p in (stopped, reused, other_host_old, unknown_old))
    finally:
        live.kill()
        live.wait()


def test_a_writer_killed_and_never_reaped_is_gone(tmp_path: Path) -> None:
    """A container's PID 1 may never reap the worker a killed run orphaned: the worker stays in
    the process table as a zombie, and its temporary image must still count as abandoned."""
    zombie = subprocess.Popen([sys.executable, "-c", "pass"])  # not waited for: a zombie
    try:
        deadline = time.time() + 20
        while not is_zombie(zombie.pid):
            assert time.time() < deadline, "the child never exited"
            time.sleep(0.05)
        left = touch(tmp_path / f".000003.png.{HOST}.{zombie.pid}.tmp")
        assert is_abandoned(left)
    finally:
        zombie.wait()


class CopyJob(ImageJob):
    """An image job over one folder whose items are single files (no renderer needed)."""

    def paths(self, index: int) -> list[Path]:
        return [self.folders[0] / f"{index:06d}.png"]


def test_a_new_job_keeps_the_temporaries_of_running_processes(tmp_path: Path) -> None:
    """The bug of issue 12 item 7: a process starting on a shard deleted the temporary image
    another process was writing, which then failed with 'wrote no complete image'."""
    folder = tmp_path / "samples/m1"
    running = touch(folder / f".000000.png.{HOST}.{os.getppid()}.tmp")
    stopped = touch(folder / f".000001.png.{HOST}.{dead_pid()}.tmp")
    job = CopyJob(tmp_path, range(4), [folder])
    assert running.exists() and not stopped.exists()
    assert job.removed == [stopped]


def test_latent_temporaries_of_a_killed_sample_are_removed_and_reported(tmp_path: Path) -> None:
    """A killed `sample` leaves factors/m1/.latents.npy.HOST.PID-XXXX.tmp: the next run that
    writes the folder removes it and says so in one line; a live writer's stays."""
    root = tmp_path / "d"
    sample = [sys.executable, "-m", "identbox", "sample", "--n-pairs", "3", "--out", str(root)]
    assert subprocess.run(sample, capture_output=True).returncode == 0
    left = touch(root / f"factors/m1/.latents.npy.{HOST}.{dead_pid()}-x1y2z3w4.tmp")
    manifest_left = touch(root / f".manifest.json.{HOST}.{dead_pid()}-a1b2c3d4.tmp")
    live = touch(root / f"factors/m2/.latents.npy.{HOST}.{os.getppid()}-q1w2e3r4.tmp")
    out = subprocess.run(sample, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert not left.exists() and not manifest_left.exists() and live.exists()
    lines = [line for line in out.stdout.splitlines() if "removed" in line]
    assert len(lines) == 1, out.stdout
    assert "2 temporary file(s) left by stopped runs" in lines[0]
    assert str(left.relative_to(root)) in lines[0]


def test_latent_temporaries_are_named_for_their_writer(tmp_path: Path, monkeypatch) -> None:
    """The latents' and manifest's temporary files carry this host and PID, so the cleanup can
    judge them."""
    from identbox.dataset.writing import writer

    seen: list[str] = []
    real = writer.os.replace

    def spy(src: str, dst: object) -> None:
        seen.append(Path(src).name)
        real(src, dst)

    monkeypatch.setattr(writer.os, "replace", spy)
    write_latents(DatasetSettings(n_pairs=2), tmp_path / "d")
    assert seen and all(name.startswith(".") and f".{HOST}.{os.getpid()}-" in name
                        and name.endswith(".tmp") for name in seen), seen
