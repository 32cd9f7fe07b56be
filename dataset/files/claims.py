"""Claims on the items of a shard, so that processes rendering one shard together (workers, or
runs started by hand) each draw different items: `.NAME.claim.tmp` beside an item's first
file, held with an exclusive flock while the item is drawn and deleted when it is done.

The kernel drops the lock when its process ends however it ends (kill -9 included), so a claim
of a stopped process is free at once: the next process takes it, or remove_unheld deletes it.
A file system without locks gives a claim that excludes nothing (each process draws what it
finds missing, as before claims existed: the files are still whole and identical).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

CLAIM_SUFFIX = ".claim.tmp"
_NO_LOCKS = frozenset({errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS, errno.EINVAL})


def claim_path(first: Path) -> Path:
    """The claim file of the item whose first file is `first` (hidden, same folder)."""
    return first.with_name(f".{first.name}{CLAIM_SUFFIX}")


def is_claim(path: Path) -> bool:
    """True for a claim file's name."""
    return path.name.startswith(".") and path.name.endswith(CLAIM_SUFFIX)


def _same_file(descriptor: int, path: Path) -> bool:
    """The open file is still the one at `path` (not deleted or replaced meanwhile)."""
    try:
        here, there = os.fstat(descriptor), os.stat(path)
    except OSError:
        return False
    return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)


class Claim:
    """An item this process holds; `release()` (or leaving a `with` block) deletes the claim.
    `exclusive` is False on a file system without locks."""

    def __init__(self, path: Path, descriptor: int | None) -> None:
        self.path = path
        self.descriptor = descriptor
        self.exclusive = descriptor is not None

    def release(self) -> None:
        """Delete the claim file, then let go of the lock (in that order: whoever locks the
        file next finds it deleted and tries again, so no two processes hold one item)."""
        with contextlib.suppress(OSError):
            self.path.unlink()
        if self.descriptor is not None:
            os.close(self.descriptor)
            self.descriptor = None

    def __enter__(self) -> Claim:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.release()


def _locked(path: Path, create: bool) -> int | None:
    """A descriptor of `path` holding its exclusive lock, or None when another process holds
    it (or, without `create`, when there is no such file). OSError when locks do not work."""
    flags = os.O_RDWR | (os.O_CREAT if create else 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        descriptor = os.open(path, flags, 0o644)
    except FileNotFoundError:
        if create:
            raise
        return None
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(descriptor)
        return None
    except OSError:
        os.close(descriptor)
        raise
    return descriptor


def claim(first: Path, attempts: int = 8) -> Claim | None:
    """Claim the item whose first file is `first`; None when another process holds it."""
    path = claim_path(first)
    for _ in range(attempts):
        try:
            descriptor = _locked(path, create=True)
        except OSError as error:
            if error.errno in _NO_LOCKS:
                return Claim(path, None)
            raise
        if descriptor is None:
            return None
        if _same_file(descriptor, path):
            return Claim(path, descriptor)
        os.close(descriptor)  # its holder finished and deleted it as we opened it: again
    return None


def remove_if_unheld(path: Path) -> bool:
    """Delete the claim file `path` if no process holds it (its process stopped); True if
    deleted."""
    try:
        descriptor = _locked(path, create=False)
    except OSError:
        return False
    if descriptor is None:
        return False
    try:
        if not _same_file(descriptor, path):
            return False
        path.unlink()
        return True
    except OSError:
        return False
    finally:
        os.close(descriptor)


@contextlib.contextmanager
def folder_held(folder: Path) -> Iterator[None]:
    """Hold `folder`'s exclusive lock (flock on the folder itself: no file is made) until the
    block ends, waiting for another process that holds it. Two runs that start writing one new
    dataset folder at once take turns, so the second finds the first's manifest and keeps it
    or refuses, instead of mixing the two. A file system without locks excludes nothing."""
    descriptor = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)
                         | getattr(os, "O_CLOEXEC", 0))
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
        except OSError as error:
            if error.errno not in _NO_LOCKS:
                raise
        yield
    finally:
        os.close(descriptor)  # closing drops the lock
