"""Temporary files named for the process that writes them, and the cleanup of those whose
writer is gone: `.NAME.HOST.PID.tmp` (or `.NAME.HOST.PID-XXXX.tmp`).

Several processes (shards, repeated runs, hosts of a cluster sharing the folder) may write into
one dataset at once, so a temporary file is removed only when its writer is known to be gone:
on this host, no process has its PID any more, or the process with that PID started after the
file was last written (the PID was reused). Files of other hosts, and names this module did not
write, are removed only once they are old: a writer renames its temporary within seconds.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from .claims import is_claim, remove_if_unheld

STALE_SECONDS = 3600.0  # no writer keeps a temporary file this long without writing it
START_SLACK_SECONDS = 60.0  # a process start time from /proc can be off by clock adjustments
NAME = re.compile(r"^\.(?P<final>.+)\.(?P<host>[^.]+)\.(?P<pid>\d+)(?:-[^.]*)?\.tmp$")


def _host_tag(name: str) -> str:
    """The host name without dots (they separate the parts of a temporary name)."""
    return re.sub(r"[^A-Za-z0-9_-]", "-", name.split(".")[0]) or "host"


HOST = _host_tag(socket.gethostname())


def temporary_path(final: Path) -> Path:
    """Where `final` is written before it is renamed (same folder, hidden, this process's)."""
    return final.with_name(f".{final.name}.{HOST}.{os.getpid()}.tmp")


def temporary_prefix(final: Path) -> str:
    """A mkstemp prefix giving `.NAME.HOST.PID-XXXXXXXX.tmp` with suffix '.tmp'."""
    return f".{final.name}.{HOST}.{os.getpid()}-"


def _stat_fields(pid: int) -> list[str]:
    """/proc/PID/stat after the command name (which may hold spaces and parentheses): the
    state first, the start time at index 19; OSError or IndexError when unreadable."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def process_start_time(pid: int) -> float | None:
    """When process `pid` started (seconds since the epoch), from /proc; None if unknown."""
    try:
        fields = _stat_fields(pid)
        boot = next(float(line.split()[1]) for line in
                    Path("/proc/stat").read_text().splitlines() if line.startswith("btime "))
        return boot + int(fields[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        return None


def is_zombie(pid: int) -> bool:
    """True if `pid` has exited and waits to be reaped: a container's PID 1 often never reaps
    the orphans of a killed run, so a dead writer can stay in the process table."""
    try:
        return _stat_fields(pid)[0] in ("Z", "X")
    except (OSError, IndexError):
        return False


def writer_alive(pid: int, written: float) -> bool:
    """True if a process of this host with `pid` may have written a file last modified at
    `written`: it exists, has not exited, and did not start after that."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        pass
    except OverflowError:
        return False
    if is_zombie(pid):
        return False
    started = process_start_time(pid)
    return started is None or started <= written + START_SLACK_SECONDS


def is_abandoned(path: Path, now: float | None = None) -> bool:
    """True for a temporary file whose writer is gone (see the module's docstring)."""
    try:
        written = path.stat().st_mtime
    except OSError:
        return False
    if (time.time() if now is None else now) - written > STALE_SECONDS:
        return True
    match = NAME.match(path.name)
    if match is None or match["host"] != HOST:
        return False
    return not writer_alive(int(match["pid"]), written)


def is_temporary(path: Path) -> bool:
    """True for a name this module or a claim gives: what a run may leave, not content."""
    return is_claim(path) or NAME.match(path.name) is not None


def remove_abandoned(folders: Iterable[Path]) -> list[Path]:
    """Delete the abandoned temporary files (and staging folders) directly in `folders`, claims
    no process holds among them (dataset/claims.py); return what was deleted."""
    removed = []
    for folder in folders:
        for path in sorted(folder.glob(".*.tmp")) if folder.is_dir() else ():
            if is_claim(path):
                if remove_if_unheld(path):
                    removed.append(path)
            elif is_abandoned(path):
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    path.unlink(missing_ok=True)
                removed.append(path)
    return removed


def removal_line(removed: Sequence[Path], root: Path) -> str | None:
    """One line naming what remove_abandoned deleted (None when nothing)."""
    if not removed:
        return None
    names = [str(p.relative_to(root)) if p.is_relative_to(root) else str(p) for p in removed]
    shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    return f"removed {len(names)} temporary file(s) left by stopped runs: {shown}"
