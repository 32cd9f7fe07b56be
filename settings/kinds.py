"""The kinds of dataset IdentBox makes, in one table.

A kind is its settings class (in this package) and the parts that live in the layers above:
how its latents or labels are written, the render-loop job, the renderer that draws its
images, and its checks. Those parts are named by module path ('scene.renderer:
BlenderPairRenderer', relative to the package) and imported only when used, so the table stays
plain data that presets, dataset files, the render loop, the command line and the panel all
read without importing Blender. A new kind is one module of its own and one `register(...)`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import SettingsError
from .contract import KindSettings, PairKindSettings
from .cube import CubeSettings
from .multimodal import KIND as MULTIMODAL_KIND
from .multimodal import MultimodalSettings
from .objects import KIND as OBJECTS_KIND
from .objects import MultiObjectSettings
from .pairs import DatasetSettings
from .parts import Part
from .sequence import KIND as SEQUENCE_KIND
from .sequence import SequenceSettings

PACKAGE = __name__.rsplit(".", 2)[0]  # 'identbox', or 'bl_ext.user_default.identbox'



# The sidebar's Mode of each built-in kind (the enum's identifiers), said once here.
PAIRS_MODE, OBJECTS_MODE, SEQUENCE_MODE, CUBE_MODE = "PAIRS", "OBJECTS", "SEQUENCE", "CUBE"


@dataclass(frozen=True)
class PanelMode:
    """How the sidebar offers a kind: a Mode button, and its settings in the properties (the
    conversions live in settings/panel.py, without bpy)."""

    mode: str  # the Mode enum's identifier
    number: int  # the enum item's number: the button's place, and what a .blend file stores
    description: str  # the Mode button's tooltip
    from_props: Part  # (props) -> the kind's settings, from the panel's properties
    # (settings, props) -> show a preset's or manifest's settings in the properties; None: the
    # panel does not load this kind's presets
    to_props: Part | None = None


@dataclass(frozen=True)
class Kind:
    """One kind of dataset, as every layer needs to know it."""

    name: str  # the settings' "kind" in presets and manifests
    label: str  # the panel's word for it: Pairs, Objects, Cube
    settings: type[KindSettings]  # the plain settings class (settings/contract.py)
    format: str  # the manifest's "format" (kinds that share a file layout share a format)
    unit: str  # what one rendered item is called: "pairs", "frames"
    write: Part  # (settings, root) -> writes latents or labels, then the manifest
    job: Part  # (settings, root, options, **extra) -> the render loop's ImageJob
    renderer: Part  # (settings, device, log=...) -> the object that draws the job's images
    validate: Part  # (root, sample) -> list of Checks
    count: str = "n_pairs"  # the settings' attribute: how many items a render draws
    complete: Part = "dataset.files.layout:pair_complete"  # (root, settings, index) -> all drawn?
    estimate: Part = "render.estimates:pair_estimate"  # (settings, options) -> JobEstimate
    # (settings, root, extra) -> what `sample` says, having written the factor files alone (the
    # latents before any image; extra: a split's manifest entry); None: the kind's files come
    # with its images (`render`)
    sample: Part | None = "dataset.writing.writer:sample_latents"
    # (context, settings, index, view, source_props): show one sample in the viewport
    preview: Part | None = "scene.preview:show_sample"
    placement: Part | None = None  # (settings) -> None, or SettingsError: scenes cannot be placed
    shape_files: bool = False  # whether object_types may name mesh files (settings/shape_files)
    # (root, **options) -> the PyTorch-style dataset that reads it (len, items); None: no
    # loader (the cube's labels are read as the original's)
    loader: Part | None = "dataset.loading.loader:IdentBoxPairs"
    # Export formats of its own (dataset/export/formats.py's ExportFormat), beside the package's
    # formats whose `accepts` takes it: `export --format NAME` finds them here
    exports: tuple[Any, ...] = ()
    panel: PanelMode | None = None  # None: the sidebar does not offer it (presets and CLI do)
    render_settings: bool = True  # whether its settings hold `render` (RenderSettings)
    shards: bool = True  # whether `slurm submit` splits its render into array tasks

    @property
    def pairs(self) -> bool:
        """Whether its datasets have the pairs' layout, so its settings are PairKindSettings
        (settings/contract.py): n_pairs, views, splits."""
        return self.format == PAIR_FORMAT

    def items(self, settings: Any) -> int:
        """How many items a render of `settings` draws (its `count` attribute)."""
        return int(getattr(settings, self.count))


def load(part: Part) -> Callable[..., Any]:
    """The callable a part names (imported now), or the part itself."""
    if callable(part):
        return part
    module, _, name = part.partition(":")
    found: Callable[..., Any] = getattr(importlib.import_module(f"{PACKAGE}.{module}"), name)
    return found


PAIR_FORMAT = "identbox-dataset/1"
CUBE_FORMAT = "identbox-cube/1"
SEQUENCE_FORMAT = "identbox-sequence/1"

_KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    """Add a kind (its name must be new); returns it."""
    if kind.name in _KINDS and _KINDS[kind.name] != kind:
        raise ValueError(f"a dataset kind named {kind.name!r} is registered already")
    _KINDS[kind.name] = kind
    return kind


def kinds() -> list[Kind]:
    """Every registered kind, the built-in ones first."""
    return list(_KINDS.values())


def kind_named(name: str) -> Kind:
    """The kind of this name; SettingsError naming the known ones otherwise."""
    if name not in _KINDS:
        raise SettingsError("kind", name, "one of " + ", ".join(_KINDS))
    return _KINDS[name]


def panel_kinds() -> list[Kind]:
    """The kinds the sidebar offers, in the order of their Mode buttons."""
    return sorted((k for k in _KINDS.values() if k.panel is not None),
                  key=lambda k: k.panel.number if k.panel else 0)


def kind_of_mode(mode: str) -> Kind:
    """The kind of a sidebar Mode."""
    for kind in _KINDS.values():
        if kind.panel is not None and kind.panel.mode == mode:
            return kind
    raise SettingsError("mode", mode, "one of " + ", ".join(
        k.panel.mode for k in panel_kinds() if k.panel))


def kind_of(settings: Any) -> Kind:
    """The kind a settings object belongs to."""
    for kind in _KINDS.values():
        if type(settings) is kind.settings:
            return kind
    raise SettingsError("settings", type(settings).__name__, "settings of a registered kind")


def kind_of_manifest(manifest: Mapping[str, Any]) -> Kind:
    """The kind of a dataset from its manifest: its format, then its settings' kind (the
    first kind registered for a format is the one whose settings need not say so)."""
    settings = manifest.get("settings")
    named = settings.get("kind") if isinstance(settings, Mapping) else None
    for kind in _KINDS.values():
        if kind.format == manifest.get("format") and named in (None, kind.name):
            return kind
    raise SettingsError("format", manifest.get("format"), "a dataset format of a registered "
                        "kind: " + ", ".join(sorted({k.format for k in _KINDS.values()})))


def settings_from_dict(data: Any) -> Any:
    """Settings of any kind from plain data, as its `kind` says (pairs when it says none)."""
    if not isinstance(data, Mapping):
        raise SettingsError("settings", data, "a table of settings")
    kind = kind_named(str(data.get("kind", PAIRS.name)))
    values = {key: value for key, value in data.items() if key != "kind"}
    return kind.settings.from_dict(values)


if TYPE_CHECKING:  # mypy holds each built-in kind's settings to its contract
    _PAIR_KINDS: tuple[type[PairKindSettings], ...] = (DatasetSettings, MultiObjectSettings,
                                                        MultimodalSettings)
    _OTHER_KINDS: tuple[type[KindSettings], ...] = (CubeSettings, SequenceSettings)

PAIRS = register(Kind(
    name="pairs", label="Pairs", settings=DatasetSettings, format=PAIR_FORMAT, unit="pairs",
    write="dataset.writing.writer:write_latents", job="render.loop:RenderJob",
    renderer="scene.renderer:BlenderPairRenderer",
    validate="dataset.checking.validate:validate_pairs",
    panel=PanelMode(PAIRS_MODE, 0, "Image pairs of one teapot (3DIdent)",
                    "settings.panel:settings_from_props", "settings.panel:settings_to_props")))
OBJECTS = register(Kind(
    name=OBJECTS_KIND, label="Objects", settings=MultiObjectSettings, format=PAIR_FORMAT,
    unit="pairs", write="dataset.writing.writer:write_latents", job="render.loop:RenderJob",
    renderer="scene.multi:BlenderMultiRenderer",
    validate="dataset.checking.validate:validate_pairs",
    preview="scene.preview:show_objects_sample", placement="settings.objects:check_placement",
    shape_files=True,
    panel=PanelMode(OBJECTS_MODE, 1, "Image pairs of 1 to 8 objects (CLEVR-like)",
                    "settings.panel:multi_settings_from_props",
                    "settings.panel:multi_settings_to_props")))
CUBE = register(Kind(
    name="cube", label="Cube", settings=CubeSettings, format=CUBE_FORMAT, unit="frames",
    write="dataset.writing.cube_writer:write_cube_labels", job="render.cube_loop:CubeJob",
    renderer="scene.cube:CubeRenderer", validate="dataset.checking.cube_validate:validate_cube",
    estimate="render.estimates:cube_estimate", sample=None, preview=None,
    loader=None, render_settings=False, shards=False,
    panel=PanelMode(CUBE_MODE, 3, "cLPR cube poses with node labels",
                    "settings.panel:cube_settings_of_props")))
MULTIMODAL = register(Kind(
    name=MULTIMODAL_KIND, label="Multimodal3DIdent", settings=MultimodalSettings,
    format=PAIR_FORMAT, unit="pairs", write="dataset.writing.writer:write_latents",
    job="render.loop:RenderJob", renderer="scene.multimodal:BlenderMultimodalRenderer",
    validate="dataset.checking.validate:validate_pairs", shape_files=True))
SEQUENCE = register(Kind(
    name=SEQUENCE_KIND, label="Sequence", settings=SequenceSettings, format=SEQUENCE_FORMAT,
    unit="frames", write="dataset.writing.sequence_writer:write_sequence",
    job="render.sequence_loop:SequenceJob", renderer="scene.sequence:BlenderSequenceRenderer",
    validate="dataset.checking.sequence_validate:validate_sequence", count="items",
    complete="dataset.writing.sequence_writer:item_complete",
    estimate="render.estimates:sequence_estimate",
    sample="dataset.writing.sequence_writer:sample_frames", preview=None, shape_files=True,
    loader="dataset.loading.sequence_loader:IdentBoxSequence",
    panel=PanelMode(SEQUENCE_MODE, 2, "Temporal sequences of a causal model with recorded "
                    "interventions (Temporal Causal3DIdent)",
                    "settings.panel:sequence_settings_from_props",
                    "settings.panel:sequence_settings_to_props")))
