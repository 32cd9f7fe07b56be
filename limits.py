"""Default, range and text of each scalar setting, defined once.

Validation, error messages, command-line help and (later) Blender properties all read these,
so a range or a description is never typed twice.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .errors import SettingsError


def format_number(value: float) -> str:
    """A bound as people write it: 10000000 rather than 1e+07, 0.5 rather than 0.500000."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


@dataclass(frozen=True)
class Limit:
    """One scalar setting: its name, label, description, default and allowed interval."""

    name: str
    label: str
    description: str
    default: Any
    minimum: float
    maximum: float
    minimum_exclusive: bool = False  # (minimum, maximum] instead of [minimum, maximum]

    @property
    def is_integer(self) -> bool:
        """Integer settings take ints only (a bool is not an int here)."""
        return isinstance(self.default, int)

    def allows(self, value: object) -> bool:
        """True if value is a finite number of the right kind inside the interval."""
        kind = int if self.is_integer else (int, float)
        if isinstance(value, bool) or not isinstance(value, kind):
            return False
        if isinstance(value, float) and not math.isfinite(value):
            return False  # (isfinite of an int beyond a float's range raises OverflowError)
        above = value > self.minimum if self.minimum_exclusive else value >= self.minimum
        return above and value <= self.maximum

    def check(self, value: object) -> None:
        """Raise SettingsError naming the setting, the value and the interval, if not allowed."""
        if not self.allows(value):
            kind = "an integer" if self.is_integer else "a number"
            raise SettingsError(self.name, value, f"{kind} in {self.interval()}")

    def interval(self) -> str:
        """'[1, 10000000]' or '(0, 1000000]'."""
        opening = "(" if self.minimum_exclusive else "["
        return f"{opening}{format_number(self.minimum)}, {format_number(self.maximum)}]"

    def range_text(self) -> str:
        """The range for help texts: '1 to 10000000'."""
        above = " (exclusive)" if self.minimum_exclusive else ""
        return f"{format_number(self.minimum)}{above} to {format_number(self.maximum)}"


@dataclass(frozen=True)
class Choice:
    """One setting that takes a value from a fixed list."""

    name: str
    label: str
    description: str
    options: tuple[str, ...]
    labels: tuple[str, ...] = ()  # the menu's word for each option, where Title Case is wrong

    @property
    def default(self) -> str:
        """The first option."""
        return self.options[0]

    def label_of(self, option: str) -> str:
        """What a menu shows for an option: its label, else the option in Title Case."""
        if self.labels:
            return self.labels[self.options.index(option)]
        return option if option.isupper() else option.replace("_", " ").title()

    def check(self, value: object) -> None:
        """Raise SettingsError naming the setting, the value and the options, if not one."""
        if value not in self.options:
            raise SettingsError(self.name, value, "one of " + ", ".join(self.options))


def reject_unknown_keys(data: Mapping[str, Any], allowed: Sequence[str]) -> None:
    """SettingsError for the first key of `data` that is not a known setting (a typo in a
    preset must not be ignored)."""
    for key in data:
        if key not in allowed:
            raise SettingsError(key, data[key], "an unknown setting; known: " + ", ".join(allowed))
