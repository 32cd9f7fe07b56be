"""The terminal while Blender renders: its own C-level prints (per-frame "Fra: ... Saved:"
lines) silenced, so a run shows IdentBox's progress only; and that progress, as a bar on a
terminal and as plain lines in a log."""

from __future__ import annotations

import contextlib
import importlib
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from typing import TypeVar

T = TypeVar("T")


@contextlib.contextmanager
def quiet_stdout() -> Iterator[None]:
    """Silence Blender's own prints (they go to the C-level stdout, not sys.stdout)."""
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


# Progress of long command-line work: a bar (tqdm) on a terminal; where stderr is a log file or
# a SLURM output, the plain lines every few seconds that grep and tail can read.
PLAIN_INTERVAL = 2.0  # seconds between plain progress lines


def stderr_is_terminal() -> bool:
    """True when stderr is a terminal (a bar can redraw itself there) and tqdm is installed."""
    try:
        importlib.import_module("tqdm")
    except ImportError:
        return False
    return sys.stderr.isatty()


def plain_line(done: int, total: int, unit: str, seconds: float) -> str:
    """'12/100 pairs (12.0%), 1.93 pairs/s, ETA 00:00:45', as the render lines read."""
    rate = done / seconds if seconds > 0 else 0.0
    eta = "--:--" if not rate else time.strftime("%H:%M:%S", time.gmtime((total - done) / rate))
    percent = 100 * done / total if total else 100.0
    return f"{done}/{total} {unit} ({percent:.1f}%), {rate:.2f} {unit}/s, ETA {eta}"


class Bar:
    """A tqdm bar on stderr moved to a count of done items (render counts files on disk)."""

    def __init__(self, total: int, label: str, unit: str, done: int = 0) -> None:
        tqdm = importlib.import_module("tqdm").tqdm
        self.bar = tqdm(total=total, initial=done, desc=label, unit=f" {unit}", file=sys.stderr,
                        dynamic_ncols=True, leave=True)

    def show(self, done: int, total: int, note: str = "") -> None:
        """Move the bar to `done` of `total`; close it when all are done."""
        self.bar.total = total
        self.bar.update(done - self.bar.n)
        if note:
            self.bar.set_postfix_str(note, refresh=False)
        if done >= total:
            self.close()

    def close(self) -> None:
        """Leave the bar as it stands (idempotent)."""
        if not self.bar.disable:
            self.bar.close()


def progress(items: Iterable[T], label: str, unit: str, log: Callable[[str], None],
             note: Callable[[], str] | None = None) -> Iterator[T]:
    """`items`, one at a time, with a bar on a terminal or plain lines ('LABEL: 3/20 epochs
    (15.0%), ...') through `log` at most every few seconds, and after the last item."""
    listed = list(items)
    total, started, last = len(listed), time.perf_counter(), 0.0
    bar = Bar(total, label, unit) if stderr_is_terminal() else None
    for done, item in enumerate(listed, start=1):
        yield item
        said = note() if note else ""
        if bar is not None:
            bar.show(done, total, said)
            continue
        now = time.perf_counter()
        if done == total or now - last >= PLAIN_INTERVAL:
            last = now
            log(f"{label}: {plain_line(done, total, unit, now - started)}"
                + (f", {said}" if said else ""))
