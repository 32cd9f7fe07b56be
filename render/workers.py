"""Several Blender processes rendering one shard together (`--workers N`, the panel's Workers).

Each worker is an ordinary run of the same shard; they claim pairs as they go (see
dataset/files/claims.py), so a fast worker never waits for a slow one, and the files are those of a
one-process run. This process starts them, prints one progress line for all of them from the
files on disk, and stops them when it is stopped; a worker whose parent is gone stops too.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from typing import IO, Any

from ..console import stderr_is_terminal
from .headless import ThrottledPrinter
from .loop import ImageJob, Progress

POLL_SECONDS = 0.5
STOP_SECONDS = 15.0  # a worker asked to stop drops the image it draws within this
WORKER_OF = "--worker-of"  # the hidden CLI option that makes a run a worker of a parent PID


def parent_gone(parent: int) -> Callable[[], bool]:
    """should_stop for a worker: True once the process that started it has ended."""
    return lambda: os.getppid() != parent


def interrupt_on_sigterm() -> None:
    """`kill PID` stops this process as Ctrl-C does: the image it draws is dropped (its
    temporary file deleted), whole ones stay."""
    def interrupt(number: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


class WorkerGroup:
    """Worker processes started together; their stderr kept in temporary files."""

    def __init__(self, commands: Sequence[Sequence[str]]) -> None:
        self.logs: list[IO[str]] = []
        self.processes: list[subprocess.Popen[bytes]] = []
        try:
            for command in commands:
                self.logs.append(tempfile.TemporaryFile(  # noqa: SIM115  (closed by stop())
                    "w+", errors="replace"))
                self.processes.append(subprocess.Popen(
                    list(command), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                    stderr=self.logs[-1]))
        except BaseException:
            self.stop()
            raise
        self.reported: set[int] = set()

    def running(self) -> bool:
        """Some worker has not ended yet."""
        return any(process.poll() is None for process in self.processes)

    def newly_failed(self) -> list[str]:
        """One line per worker that ended with an error since the last call."""
        lines = []
        for number, process in enumerate(self.processes, 1):
            if process.poll() is None or number in self.reported:
                continue
            self.reported.add(number)
            if process.returncode != 0:
                lines.append(f"worker {number} {self._why(number - 1)}")
        return lines

    def _lines(self, k: int) -> list[str]:
        log = self.logs[k]
        log.flush()
        log.seek(0)
        lines = [line.rstrip() for line in log.read().splitlines() if line.strip()]
        log.seek(0, os.SEEK_END)
        return lines

    def _why(self, k: int) -> str:
        status = self.processes[k].returncode
        if status < 0:
            return f"was stopped by signal {-status} ({signal.strsignal(-status)})"
        lines = self._lines(k)
        errors = [line for line in lines if line.startswith("identbox: error:")]
        said = (errors or lines or ["(it printed nothing)"])[-1]
        return f"exited with status {status}: {said}"

    def first_failure(self) -> int:
        """The first failed worker's exit status (1 for one stopped by a signal), or 0."""
        for process in self.processes:
            if process.returncode:
                return process.returncode if process.returncode > 0 else 1
        return 0

    def drew_lines(self) -> list[str]:
        """What each worker said it drew ('worker 2 drew 5 pairs in ...')."""
        return [f"worker {k + 1} {line.removeprefix('render: ')}"
                for k in range(len(self.processes)) for line in self._lines(k)
                if line.startswith("render: drew ")]

    def stop(self) -> None:
        """Ask the running workers to stop (SIGTERM), wait a while, then kill what is left;
        close the logs."""
        for process in self.processes:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    process.terminate()
        deadline = time.monotonic() + STOP_SECONDS
        for process in self.processes:
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        for log in self.logs:
            log.close()
        self.logs = []


def combined(jobs: Sequence[ImageJob], first_pending: int, started: float) -> Progress:
    """The progress of every job together, counted from the files on disk."""
    pending = sum(len(job.pending) for job in jobs)
    total = sum(len(job.indices) for job in jobs)
    return Progress(total - pending, total, first_pending - pending,
                    time.perf_counter() - started)


@contextlib.contextmanager
def sigterm_interrupts() -> Iterator[None]:
    """In this block `kill PID` raises KeyboardInterrupt, so the workers are stopped too."""
    previous = signal.getsignal(signal.SIGTERM)
    interrupt_on_sigterm()
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def run_workers(jobs: Sequence[ImageJob], commands: Sequence[Sequence[str]],
                log: Callable[[str], None], unit: str) -> int:
    """Run one worker per command over `jobs` (already started: latents written), with one
    progress line for all; 0 when every item of every job is complete at the end, else the
    first failed worker's exit status. Ctrl-C or `kill` here stops the workers."""
    printer = ThrottledPrinter(log, unit=unit, bar=stderr_is_terminal())
    first_pending = sum(len(job.pending) for job in jobs)
    look_ahead = 2 * len(commands) + 8  # workers draw front to back: at most one each open
    with sigterm_interrupts():
        started = time.perf_counter()
        group = WorkerGroup(commands)
        try:
            shown = None
            while group.running():
                time.sleep(POLL_SECONDS)
                for line in group.newly_failed():
                    log(f"render: {line}")
                for job in jobs:
                    job.refresh(look_ahead)
                shown = combined(jobs, first_pending, started)
                printer(shown)
            for line in group.newly_failed():
                log(f"render: {line}")
            for job in jobs:
                job.refresh(len(job.pending))
            progress = combined(jobs, first_pending, started)
            if shown is None or shown.done != progress.done:
                printer(progress)
            for line in group.drew_lines():
                log(f"render: {line}")
            log(f"render: {len(commands)} workers completed {progress.rendered} {unit} in "
                f"{progress.elapsed:.1f} s ({progress.pairs_per_second:.2f} {unit}/s)")
            failure = group.first_failure()
        finally:
            group.stop()
    if all(job.finished for job in jobs):
        return 0
    log(f"render: {progress.total - progress.done} {unit} left undrawn; run the same command "
        "again to resume")
    return failure or 1
