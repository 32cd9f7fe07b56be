"""The one error type for bad settings: it names the setting, the value and what is allowed."""

from __future__ import annotations


class SettingsError(ValueError):
    """A setting has a value outside what IdentBox accepts."""

    def __init__(self, setting: str, value: object, allowed: str) -> None:
        self.setting = setting
        self.value = value
        self.allowed = allowed
        super().__init__(f"{setting} = {value!r} is not allowed: {allowed}")

    def within(self, prefix: str) -> SettingsError:
        """The same error, with the setting's path below `prefix` (e.g. 'blocks.hues')."""
        return SettingsError(f"{prefix}.{self.setting}", self.value, self.allowed)


class DatasetError(RuntimeError):
    """A dataset folder cannot be written or read as asked (e.g. it holds a different dataset)."""
