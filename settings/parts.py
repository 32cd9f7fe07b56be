"""The call signature of each part a kind names in the table (settings/kinds.py), so mypy checks
every call through the table. The parts are
imported when used; tests/test_new_kind.py imports each one and binds these signatures to it,
so a part whose name or arguments are wrong fails the tests, not a user's run:
`as_write(kind.write)(settings, root)`. What a part
returns from the layers above (a render job, a Check) is Any here: the settings layer imports
nothing above it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol, cast

from .render import RunOptions


class Write(Protocol):
    """Writes a dataset's factor files (or labels), then its manifest."""

    def __call__(self, settings: Any, root: Path | str, /) -> object: ...


class Sample(Protocol):
    """Writes the factor files alone and says so in lines (extra: a split's manifest entry)."""

    def __call__(self, settings: Any, root: Path | str,
                 extra: dict[str, Any] | None = None, /) -> str: ...


class Job(Protocol):
    """The render loop's job over one shard (an ImageJob)."""

    def __call__(self, settings: Any, root: Path | str, options: RunOptions, /,
                 **job_options: Any) -> Any: ...


class Renderer(Protocol):
    """Builds the kind's scene; draws the job's images."""

    def __call__(self, settings: Any, device: str, /, *,
                 log: Callable[[str], None]) -> Any: ...


class Validate(Protocol):
    """Every check of a dataset folder (Check records)."""

    def __call__(self, root: Path | str, sample: int = 32, /) -> list[Any]: ...


class Complete(Protocol):
    """Whether item `index` of a dataset is drawn whole."""

    def __call__(self, root: Path, settings: Any, index: int, /) -> bool: ...


class Estimate(Protocol):
    """A job's size before it runs (a JobEstimate)."""

    def __call__(self, settings: Any, options: RunOptions, /) -> Any: ...


class Preview(Protocol):
    """Shows one sample in the viewport."""

    def __call__(self, context: Any, settings: Any, index: int, view: int,
                 source_props: Any, /) -> None: ...


class CheckPlacement(Protocol):
    """SettingsError when the settings' scenes cannot be placed."""

    def __call__(self, settings: Any, /) -> None: ...


class Loader(Protocol):
    """The dataset a training loop reads (len, items)."""

    def __call__(self, root: str | Path, /, **options: Any) -> Any: ...


class FromProps(Protocol):
    """The kind's settings from the sidebar's properties."""

    def __call__(self, props: Any, /) -> Any: ...


class ToProps(Protocol):
    """Shows a kind's settings (a preset, a manifest) in the sidebar's properties."""

    def __call__(self, settings: Any, props: Any, /) -> None: ...


# A part above the settings layer: 'module.path:name' inside the package, or the object itself
# (a kind defined outside the package, e.g. in a test, gives its functions directly).
Part = str | Callable[..., Any]


def _loaded(part: Part) -> Callable[..., Any]:
    from .kinds import load  # the table imports the settings classes; they import nothing here

    return load(part)


def as_write(part: Part) -> Write:
    """The part, imported now when named by path, as a Write."""
    return cast(Write, _loaded(part))


def as_sample(part: Part) -> Sample:
    """The part, imported now when named by path, as a Sample."""
    return cast(Sample, _loaded(part))


def as_job(part: Part) -> Job:
    """The part, imported now when named by path, as a Job."""
    return cast(Job, _loaded(part))


def as_renderer(part: Part) -> Renderer:
    """The part, imported now when named by path, as a Renderer."""
    return cast(Renderer, _loaded(part))


def as_validate(part: Part) -> Validate:
    """The part, imported now when named by path, as a Validate."""
    return cast(Validate, _loaded(part))


def as_complete(part: Part) -> Complete:
    """The part, imported now when named by path, as a Complete."""
    return cast(Complete, _loaded(part))


def as_estimate(part: Part) -> Estimate:
    """The part, imported now when named by path, as a Estimate."""
    return cast(Estimate, _loaded(part))


def as_preview(part: Part) -> Preview:
    """The part, imported now when named by path, as a Preview."""
    return cast(Preview, _loaded(part))


def as_check_placement(part: Part) -> CheckPlacement:
    """The part, imported now when named by path, as a CheckPlacement."""
    return cast(CheckPlacement, _loaded(part))


def as_loader(part: Part) -> Loader:
    """The part, imported now when named by path, as a Loader."""
    return cast(Loader, _loaded(part))


def as_from_props(part: Part) -> FromProps:
    """The part, imported now when named by path, as a FromProps."""
    return cast(FromProps, _loaded(part))


def as_to_props(part: Part) -> ToProps:
    """The part, imported now when named by path, as a ToProps."""
    return cast(ToProps, _loaded(part))
