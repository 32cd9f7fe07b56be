"""The error types IdentBox raises for what a user can fix, and the one-line texts they show."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path


def shortened(value: object, limit: int = 120) -> str:
    """repr(value), cut to `limit` characters (a path: 1,000), so that a message stays one
    readable line however big the value someone passed."""
    text = repr(value)
    limit = 1000 if isinstance(value, str) else limit
    return text if len(text) <= limit else text[:limit - 3] + "..."


class SettingsError(ValueError):
    """A setting has a value outside what IdentBox accepts."""

    def __init__(self, setting: str, value: object, allowed: str) -> None:
        self.setting = setting
        self.value = value
        self.allowed = allowed
        super().__init__(f"{setting} = {shortened(value)} is not allowed: {allowed}")

    def within(self, prefix: str) -> SettingsError:
        """The same error, with the setting's path below `prefix` (e.g. 'blocks.hues')."""
        return SettingsError(f"{prefix}.{self.setting}", self.value, self.allowed)


class DatasetError(RuntimeError):
    """A dataset folder cannot be written or read as asked (e.g. it holds a different dataset)."""


class DatasetChangedError(DatasetError):
    """A dataset's files changed on disk while a job used them: the machine's fault (another
    process, a full disk), not the input's."""


# What an operator or a command reports as one line instead of a traceback.
USER_ERRORS = (SettingsError, DatasetError, OSError)

# File-system errors that mean the path given was wrong (bad input), not that the machine
# failed (full, read-only, broken disk: a failure of the environment).
BAD_PATH_ERRNOS = frozenset({errno.ENOENT, errno.ENOTDIR, errno.EISDIR, errno.ENAMETOOLONG,
                             errno.EEXIST, errno.EINVAL, errno.ELOOP})


def describe(error: BaseException) -> str:
    """One line for a user: an OSError as 'PATH: what is wrong', any other error as its text."""
    if not isinstance(error, OSError):
        return str(error).splitlines()[0] if str(error) else type(error).__name__
    reason = error.strerror or str(error)
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        reason = f"{reason}: the disk is full; free some space or choose another folder"
    elif error.errno == errno.EROFS:
        reason = f"{reason}: choose a folder on a writable disk"
    return f"{error.filename}: {reason}" if error.filename else reason


def is_bad_path(error: OSError) -> bool:
    """True when the path was wrong (exit status 2), False when the machine failed (1)."""
    return error.errno in BAD_PATH_ERRNOS


def raise_if_disk_full(folder: Path, needed: int = 16 << 20) -> None:
    """OSError(ENOSPC) naming `folder` when its disk has less than `needed` bytes free: why a
    write that failed without saying why (Blender's image writer does) most likely failed."""
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return
    if free < needed:
        raise OSError(errno.ENOSPC, f"{os.strerror(errno.ENOSPC)} ({free // 1024} KiB free)",
                      str(folder))
