"""Read a file someone gave us (a JSON settings file, a mesh): any way it can be wrong becomes
one line naming the file."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

JSON_BYTES = 64 << 20  # a preset or manifest is kilobytes; this is far above any


class UnreadableFileError(ValueError):
    """A file that cannot be read; the text says why, without the path."""


class UnreadableJSONError(UnreadableFileError):
    """A JSON file that cannot be read; the text says why, without the path."""


_KINDS = ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a device"),
          (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket"))


def _check_regular(mode: int, size: int, limit: int) -> None:
    if not stat.S_ISREG(mode):
        kind = next((name for test, name in _KINDS if test(mode)), "not a plain file")
        raise UnreadableFileError(f"is not a regular file ({kind}); reading it could hang or "
                                  "never end")
    if size > limit:
        raise UnreadableFileError(f"is {size:,} bytes, more than the {limit:,} allowed")


def read_regular_file(path: Path, limit: int) -> bytes:
    """The bytes of a regular file (a link followed to one) of at most `limit` bytes.
    UnreadableFileError if it is missing or unreadable, a FIFO, device, socket or folder, or
    bigger: checked before anything is read (a link to /dev/zero, a FIFO that never ends)."""
    try:
        info = os.stat(path)
        _check_regular(info.st_mode, info.st_size, limit)
        # Non-blocking: a FIFO swapped in after the check opens without waiting for a writer.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)
                     | getattr(os, "O_BINARY", 0))
        with os.fdopen(fd, "rb") as file:
            info = os.fstat(fd)
            _check_regular(info.st_mode, info.st_size, limit)
            data = file.read(limit + 1)
    except OSError as error:
        raise UnreadableFileError(f"cannot be read ({error.strerror or error})") from None
    if len(data) > limit:  # it grew since
        raise UnreadableFileError(f"is more than the {limit:,} bytes allowed")
    return data


class RepeatedKeyError(ValueError):
    """A JSON object with one key twice."""


def _without_repeats(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object as a dict, refused when a key comes twice (json.loads keeps the last,
    silently: a hand-edited preset would run with a value its reader never saw)."""
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise RepeatedKeyError(key)
        found[key] = value
    return found


def read_json(path: Path) -> Any:
    """The file's JSON value. UnreadableJSONError if the file is missing or unreadable, not a
    regular file or bigger than JSON_BYTES, is not UTF-8, is not JSON, or is JSON that Python
    refuses (numbers of thousands of digits, nesting thousands deep)."""
    try:
        text = read_regular_file(path, JSON_BYTES).decode("utf-8")
    except UnreadableFileError as error:
        raise UnreadableJSONError(str(error)) from None
    except UnicodeDecodeError as error:
        raise UnreadableJSONError(f"is not UTF-8 text (byte 0x{error.object[error.start]:02x} at "
                             f"offset {error.start})") from None
    try:
        return json.loads(text, object_pairs_hook=_without_repeats)
    except RepeatedKeyError as error:
        raise UnreadableJSONError(f"holds the key {error.args[0]!r} twice in one object (JSON "
                                  "readers differ on which counts: say it once)") from None
    except json.JSONDecodeError as error:
        raise UnreadableJSONError(f"is not valid JSON ({error.msg} at line {error.lineno}, column "
                             f"{error.colno})") from None
    except RecursionError:
        raise UnreadableJSONError("is nested too deeply to read") from None
    except ValueError:  # Python refuses integers of more than 4,300 digits
        raise UnreadableJSONError("holds a number with too many digits to read") from None
