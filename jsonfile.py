"""Read a JSON file someone gave us: any way it can be wrong becomes one line naming the file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


class UnreadableJSONError(ValueError):
    """A JSON file that cannot be read; the text says why, without the path."""


def read_json(path: Path) -> Any:
    """The file's JSON value. UnreadableJSONError if the file is missing or unreadable, is not
    UTF-8, is not JSON, or is JSON that Python refuses (numbers of thousands of digits, nesting
    thousands deep)."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise UnreadableJSONError(f"is not UTF-8 text (byte 0x{error.object[error.start]:02x} at "
                             f"offset {error.start})") from None
    except OSError as error:
        raise UnreadableJSONError(f"cannot be read ({error.strerror or error})") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise UnreadableJSONError(f"is not valid JSON ({error.msg} at line {error.lineno}, column "
                             f"{error.colno})") from None
    except RecursionError:
        raise UnreadableJSONError("is nested too deeply to read") from None
    except ValueError:  # Python refuses integers of more than 4,300 digits
        raise UnreadableJSONError("holds a number with too many digits to read") from None
