"""Property groups that mirror DatasetSettings field by field (see ui_settings.py).

Defaults are those of DatasetSettings(): each block gets its own group class so that its
default type can differ (positions style, rotations view-specific, hues content).
"""

from typing import Any

import bpy
from bpy.props import (
    BoolProperty,
    CollectionProperty,
    EnumProperty,
    FloatProperty,
    IntProperty,
    PointerProperty,
    StringProperty,
)

from ..errors import SettingsError
from ..presets import load_preset, preset_names
from ..sampling.blocks import BLOCK_TYPE
from ..sampling.citris import SHAPES
from ..sampling.distributions import (
    CONDITIONAL_HALF_WIDTH,
    CONDITIONAL_KIND,
    CONDITIONAL_STD,
    MARGINAL_HIGH,
    MARGINAL_KIND,
    MARGINAL_LOW,
    MARGINAL_STD,
)
from ..sampling.factors import FACTOR_NAMES
from ..sampling.multi import MIN_GAP, MIN_PIXELS, N_OBJECTS, OBJECT_TYPES
from ..sampling.rig import RIG_BLOCKS
from ..sampling.text import TEXT_WORDS
from ..scene.preview import show_any_sample, show_sequence_frame
from ..scene.render_setup import denoisers_here
from ..settings.cube import (
    CUBE_FILE_FORMAT,
    CUBE_JPEG_QUALITY,
    CUBE_SAMPLES,
    CUBE_SEED,
    DEFAULT_SIZES,
    RANDOM_FRAMES,
    STEP,
)
from ..settings.interventions import MODE as INTERVENTION_MODE
from ..settings.interventions import PROBABILITY as INTERVENTION_PROBABILITY
from ..settings.interventions import TARGETS as INTERVENTION_TARGETS
from ..settings.kinds import SEQUENCE_MODE, kind_of, panel_kinds
from ..settings.objects import MultiObjectSettings
from ..settings.pairs import (
    CHANGE_PROBABILITY,
    EDGE_STRENGTH,
    N_PAIRS,
    N_VIEWS,
    SEED,
    BlockSettings,
    DatasetSettings,
)
from ..settings.panel import (
    GROUPS_TEXT,
    MESH_FILE,
    MESH_FILES_TEXT,
    SEQUENCE_PROBABILITY,
    default_views_of,
    loads_into_panel,
    pair_settings_from_props,
    sequence_settings_from_props,
    text_to_view,
    views_to_props,
)
from ..settings.render import (
    BATCH_INDEX,
    DENOISER,
    DEVICE,
    N_BATCHES,
    RENDER_SPECS,
    SCENE_SPECS,
    WORKERS,
)
from ..settings.sequence import (
    MODELS,
    N_EPISODES,
    N_FRAMES,
    N_INDEPENDENT,
    N_TRIPLETS,
    SHAPE_COUNTS,
    STAND_INS,
)
from ..settings.text import DEFAULT_WORDS, TextSettings
from ..settings.text import OBJECTS as TEXT_OBJECTS
from ..settings.text import ORDER as TEXT_ORDER
from ..settings.views import MATERIAL, MODALITY, TEXT
from .make import choice_property, limit_property, path_property, spec_property

DEFAULTS = DatasetSettings()
MULTI_DEFAULTS = MultiObjectSettings()


def _block_group(block: str) -> Any:
    """A block's property group, its defaults taken from the default settings (the camera and
    lighting blocks: off, and content when turned on)."""
    default = (DEFAULTS.blocks[block] if block in DEFAULTS.blocks
               else MULTI_DEFAULTS.blocks.get(block, BlockSettings()))
    optional = {"enabled": BoolProperty(  # type: ignore[func-returns-value]
        name="Use", default=False,
        description=f"Make the {block} a factor (off: the published, fixed {block})")}
    annotations = {
        **(optional if block in RIG_BLOCKS else {}),
        "type": choice_property(BLOCK_TYPE, default=default.type),
        "marginal_kind": choice_property(MARGINAL_KIND),
        "marginal_low": limit_property(MARGINAL_LOW),
        "marginal_high": limit_property(MARGINAL_HIGH),
        "marginal_std": limit_property(MARGINAL_STD),
        "conditional_kind": choice_property(CONDITIONAL_KIND),
        "conditional_std": limit_property(CONDITIONAL_STD),
        "conditional_half_width": limit_property(CONDITIONAL_HALF_WIDTH),
        "change_probability": limit_property(CHANGE_PROBABILITY, subtype="FACTOR"),
        "view_roles": StringProperty(  # type: ignore[func-returns-value]
            name="View Roles", options={"HIDDEN"},
            description="Factors playing m1, m2, m3 (comma separated); empty: as published"),
    }
    return type(f"IDENTBOX_PG_block_{block}", (bpy.types.PropertyGroup,),
                {"__annotations__": annotations, "__doc__": f"Settings of the {block} block"})


IDENTBOX_PG_block_positions = _block_group("positions")
IDENTBOX_PG_block_rotations = _block_group("rotations")
IDENTBOX_PG_block_hues = _block_group("hues")
IDENTBOX_PG_block_objects = _block_group("objects")
IDENTBOX_PG_block_camera = _block_group("camera")
IDENTBOX_PG_block_lighting = _block_group("lighting")
BLOCK_GROUPS = {"positions": IDENTBOX_PG_block_positions,
                "rotations": IDENTBOX_PG_block_rotations, "hues": IDENTBOX_PG_block_hues,
                "objects": IDENTBOX_PG_block_objects, "camera": IDENTBOX_PG_block_camera,
                "lighting": IDENTBOX_PG_block_lighting}

_FACTOR_ITEMS = [(name, name, f"The factor {name}") for name in FACTOR_NAMES]


class IDENTBOX_PG_edge(bpy.types.PropertyGroup):
    """One causal edge: the child's view-1 value is a truncated normal around the parent's."""

    parent: EnumProperty(  # type: ignore[valid-type]
        name="Parent", items=_FACTOR_ITEMS, default="hue_spot", description="Parent factor")
    child: EnumProperty(  # type: ignore[valid-type]
        name="Child", items=_FACTOR_ITEMS, default="hue_object", description="Child factor")
    strength: limit_property(EDGE_STRENGTH)  # type: ignore[valid-type]


def _view_material_update(view: Any, context: Any) -> None:
    """Views 1 and 2 give the scene's view-1 and view-2 materials (view 2's is every later
    view's default), so a material set in the list gives the settings the command line's
    --view1-material / --view2-material would, not a views list. Loading a preset sets the
    scene's materials after the list, so they stay the preset's."""
    props = view.id_data.identbox
    for number, item in enumerate(props.views[:2], start=1):
        if item == view:
            setattr(props.scene_options, f"view{number}_material", view.material)


class IDENTBOX_PG_template(bpy.types.PropertyGroup):
    """One template of a text view's sentences."""

    text: StringProperty(  # type: ignore[valid-type]
        name="Template", description="A sentence with a {PLACEHOLDER} for each described word: "
        + ", ".join("{" + p + "}" for word in TEXT_WORDS for p in TEXT_WORDS[word]))


def _modality_update(view: Any, context: Any) -> None:
    """A view made a text view gets the default words and templates (Multimodal3DIdent's)
    unless it has templates already (it was a text view before, or a preset set them)."""
    if view.modality == TEXT and not view.templates:
        text_to_view(TextSettings(), view)


def _word_label(word: str) -> str:
    return word.replace("_", " ").title()


class IDENTBOX_PG_view(bpy.types.PropertyGroup):
    """One view of a sample: its name (the built-in `name`), modality and material; a text
    view's words (which it describes) and templates."""

    __annotations__ = {
        "modality": choice_property(MODALITY, update=_modality_update),
        "material": EnumProperty(  # type: ignore[func-returns-value]
            name=MATERIAL.label, description=MATERIAL.description,
            update=_view_material_update,
            items=[(option, option, f"{MATERIAL.label}: {option}")
                   for option in MATERIAL.options]),
        **{f"describe_{word}": BoolProperty(  # type: ignore[func-returns-value]
            name=_word_label(word), default=word in DEFAULT_WORDS,
            description=f"The sentences say the {_word_label(word).lower()} (templates need "
            + " and ".join("{" + p + "}" for p in TEXT_WORDS[word]) + ")")
           for word in TEXT_WORDS},
        "describe_order": StringProperty(  # type: ignore[func-returns-value]
            name="Word Order", options={"HIDDEN"},
            description="The described words in the settings' order (comma separated)"),
        "templates": CollectionProperty(type=IDENTBOX_PG_template),  # type: ignore[func-returns-value]
        "active_template": IntProperty(name="Active Template"),  # type: ignore[func-returns-value]
        "text_objects": choice_property(TEXT_OBJECTS),
        "text_order": choice_property(TEXT_ORDER),
    }


class IDENTBOX_PG_render(bpy.types.PropertyGroup):
    """Cycles settings of every image (part of the dataset)."""

    __annotations__ = {spec.name: spec_property(
        spec, offered=denoisers_here() if spec is DENOISER else None) for spec in RENDER_SPECS}


class IDENTBOX_PG_scene_options(bpy.types.PropertyGroup):
    """How latents become the scene: hue mapping, material per view, teapot mesh."""

    __annotations__ = {spec.name: spec_property(spec) for spec in SCENE_SPECS}


class IDENTBOX_PG_progress(bpy.types.PropertyGroup):
    """State of the running (or last) Render Dataset, shown by the Progress panel."""

    running: BoolProperty(name="Running", options={"SKIP_SAVE"})  # type: ignore[valid-type]
    cancel_requested: BoolProperty(name="Cancel Requested")  # type: ignore[valid-type]
    done: IntProperty(name="Done", description="Pairs done in this shard")  # type: ignore[valid-type]
    total: IntProperty(name="Total", description="Pairs in this shard")  # type: ignore[valid-type]
    fraction: FloatProperty(  # type: ignore[valid-type]
        name="Progress", subtype="PERCENTAGE", min=0.0, max=100.0,
        description="Share of the shard that is rendered")
    rate: FloatProperty(name="Rate", description="Items (pairs or frames) per second")  # type: ignore[valid-type]
    rough_per_item: FloatProperty(  # type: ignore[valid-type]
        name="Model Seconds", description="The rough time model's seconds per item at the "
        "last run's settings: its rate carries to other settings through it")
    unit: StringProperty(name="Unit", default="pairs",  # type: ignore[valid-type]
                         description="What the last run drew: pairs or frames")
    eta: StringProperty(name="ETA", description="Time left at the current rate")  # type: ignore[valid-type]
    message: StringProperty(name="Status", description="What the last run did")  # type: ignore[valid-type]
    output: StringProperty(name="Output", subtype="DIR_PATH",  # type: ignore[valid-type]
                           description="Folder of the last run")


class IDENTBOX_PG_cube(bpy.types.PropertyGroup):
    """The cube pose mode (cLPR): rotations, sizes, files, and label playback."""

    step: limit_property(STEP)  # type: ignore[valid-type]
    random_frames: limit_property(RANDOM_FRAMES)  # type: ignore[valid-type]
    seed: limit_property(CUBE_SEED)  # type: ignore[valid-type]
    sizes: StringProperty(  # type: ignore[valid-type]
        name="Sizes", default=" ".join(map(str, DEFAULT_SIZES)),
        description="Image sizes in pixels, each rendered (e.g. 32 64 128 256)")
    file_format: choice_property(CUBE_FILE_FORMAT)  # type: ignore[valid-type]
    jpeg_quality: limit_property(CUBE_JPEG_QUALITY)  # type: ignore[valid-type]
    samples: limit_property(CUBE_SAMPLES)  # type: ignore[valid-type]
    label_file: path_property(  # type: ignore[valid-type]
        "FILE_PATH", name="Label File",
        description="A cube label file to play back: IdentBox's labels.npy or a cLPR .npy")
    frame: IntProperty(  # type: ignore[valid-type]
        name="Frame", min=0, update=lambda self, context: _playback_update(self, context),
        description="Label row shown in the viewport (from 0)")


class IDENTBOX_PG_objects(bpy.types.PropertyGroup):
    """Multi-object scenes: how many objects, which types, placement, extra outputs."""

    __annotations__ = {
        "n_objects": limit_property(N_OBJECTS),
        "min_gap": limit_property(MIN_GAP),
        "min_pixels": limit_property(MIN_PIXELS),
        "masks": BoolProperty(  # type: ignore[func-returns-value]
            name="Masks", description="Also render object-index masks"),
        "depth": BoolProperty(  # type: ignore[func-returns-value]
            name="Depth", description="Also render 16-bit depth maps"),
        **{f"type_{kind}": BoolProperty(  # type: ignore[func-returns-value]
            name=kind.title(), default=True, description=f"Scenes may contain a {kind}")
           for kind in OBJECT_TYPES},
        "mesh_files": StringProperty(  # type: ignore[func-returns-value]
            name="Mesh Files", description=MESH_FILES_TEXT),
    }


class IDENTBOX_PG_intervention(bpy.types.PropertyGroup):
    """Pairs whose view 2 is view 1 after do(targets := values): off by default."""

    enabled: BoolProperty(  # type: ignore[valid-type]
        name="Intervention", default=False,
        description="Make view 2 view 1 after an intervention on targets drawn per pair "
                    "(every block content; off: the block rules make view 2)")
    mode: choice_property(INTERVENTION_MODE)  # type: ignore[valid-type]
    targets: choice_property(INTERVENTION_TARGETS)  # type: ignore[valid-type]
    probability: limit_property(  # type: ignore[valid-type]
        INTERVENTION_PROBABILITY, subtype="FACTOR")
    groups: StringProperty(name="Groups", description=GROUPS_TEXT)  # type: ignore[valid-type]


def _shape_items(shape: str) -> list[tuple[str, str, str]]:
    return [*((kind, kind.title(), f"Draw the {shape} as a {kind}") for kind in OBJECT_TYPES),
            (MESH_FILE, "Mesh File", f"Draw the {shape} from a mesh file ({MESH_FILES_TEXT})")]


class IDENTBOX_PG_sequence(bpy.types.PropertyGroup):
    """Temporal sequences of a causal model: length, episodes, interventions, shapes, and the
    frame the preview shows."""

    __annotations__ = {
        "model": EnumProperty(  # type: ignore[func-returns-value]
            name="Model", items=[(m, m.upper() if m == "citris" else m, f"The {m} causal model")
                                 for m in MODELS],
            description="The causal model whose variables the frames follow"),
        "n_shapes": EnumProperty(  # type: ignore[func-returns-value]
            name="Shapes", items=[(str(n), str(n), f"The reference's {n}-shape variant")
                                  for n in SHAPE_COUNTS],
            description="Shapes the object switches between (the reference's 1 or 7)"),
        "n_frames": limit_property(N_FRAMES),
        "n_episodes": limit_property(N_EPISODES),
        "n_independent": limit_property(N_INDEPENDENT),
        "n_triplets": limit_property(N_TRIPLETS),
        "reference_probability": BoolProperty(  # type: ignore[func-returns-value]
            name="Reference p", default=True,
            description="Each causal group is a target with the reference's p = 1 / (groups "
                        "+ 1) per step (off: P(intervene))"),
        "intervention_probability": limit_property(SEQUENCE_PROBABILITY, subtype="FACTOR"),
        "single_target": BoolProperty(  # type: ignore[func-returns-value]
            name="Single Target", description="One causal group is the target of every step"),
        "instantaneous": BoolProperty(  # type: ignore[func-returns-value]
            name="Instantaneous", description="Goals from the parents at the same step (the "
            "instantaneous variant) instead of the previous one"),
        "seed": limit_property(SEED),
        **{f"shape_{k}": EnumProperty(  # type: ignore[func-returns-value]
            name=shape.title(), items=_shape_items(shape), default=STAND_INS[k],
            description=f"What draws the reference's {shape}")
           for k, shape in enumerate(SHAPES)},
        **{f"file_{k}": StringProperty(  # type: ignore[func-returns-value]
            name="File", description=f"The {shape}'s mesh file: {MESH_FILES_TEXT}")
           for k, shape in enumerate(SHAPES)},
        "frame": IntProperty(  # type: ignore[func-returns-value]
            name="Frame", min=0, update=lambda self, context: _frame_update(self, context),
            description="Frame of the sequence shown in the viewport (from 0, over all "
                        "episodes)"),
    }


_updating: set[str] = set()


def _once(name: str, update: Any) -> None:
    """Run a property's update unless that update is already running (showing a scene may
    set properties whose own updates would call it again) or a render is running (it would
    delete the objects the renderer draws)."""
    if name in _updating:
        return
    _updating.add(name)
    try:
        update()
    finally:
        _updating.discard(name)


def _running(props: Any) -> bool:
    return bool(props.progress.running)


def _playback_update(cube: Any, context: Any) -> None:
    from ..scene.cube_playback import play_from_ui

    owner = cube.id_data.identbox
    if not _running(owner):
        _once("playback", lambda: play_from_ui(context, owner))


def _preview_update(props: Any, context: Any) -> None:

    if not _running(props):
        _once("preview", lambda: preview_from_ui(context, props))


def _frame_update(sequence: Any, context: Any) -> None:
    _preview_update(sequence.id_data.identbox, context)


# Each mode's dataset name while the user has not named it (a preset names it): its kind's
# default settings' name, for the kinds whose presets the panel loads.
DEFAULT_NAMES = {k.panel.mode: k.settings().name for k in panel_kinds()
                 if k.panel is not None and loads_into_panel(k)}


def _preset_mode(name: str) -> str | None:
    """The panel mode of the bundled preset called `name` (None: no such preset, or one the
    panel does not offer)."""
    if name not in preset_names():
        return None
    panel = kind_of(load_preset(name)).panel
    return panel.mode if panel is not None else None


def _mode_items() -> list[tuple[str, str, str, str, int]]:
    """The Mode buttons: one per kind the sidebar offers (the kinds table)."""
    return [(k.panel.mode, k.label, k.panel.description, "NONE", k.panel.number)
            for k in panel_kinds() if k.panel is not None]


def _mode_update(props: Any, context: Any) -> None:
    """A default name, or the name of a bundled preset of another mode, follows the mode: a
    sequence made from a new scene is not named after the pairs preset of the defaults, nor
    an Objects dataset after the Pairs preset loaded before the switch."""
    if props.mode not in DEFAULT_NAMES:
        return
    if props.name in DEFAULT_NAMES.values() or _preset_mode(props.name) not in (None,
                                                                                 props.mode):
        props.name = DEFAULT_NAMES[props.mode]


class IDENTBOX_PG_settings(bpy.types.PropertyGroup):
    """Everything the IdentBox panel edits: the dataset, this run, the preview, the progress."""

    name: StringProperty(  # type: ignore[valid-type]
        name="Name", default=DEFAULTS.name, description="Dataset name (recorded in the manifest)")
    description: StringProperty(  # type: ignore[valid-type]
        name="Description", description="What the dataset is (recorded in the manifest)")
    n_pairs: limit_property(N_PAIRS)  # type: ignore[valid-type]
    seed: limit_property(SEED)  # type: ignore[valid-type]
    directory: path_property(  # type: ignore[valid-type]
        "DIR_PATH", name="Output Folder", default="//identbox_dataset",
        description="Dataset folder: factors/, samples/ and manifest.json go here")
    device: choice_property(DEVICE)  # type: ignore[valid-type]
    batch_index: limit_property(BATCH_INDEX)  # type: ignore[valid-type]
    n_batches: limit_property(N_BATCHES)  # type: ignore[valid-type]
    workers: limit_property(WORKERS)  # type: ignore[valid-type]
    positions: PointerProperty(type=IDENTBOX_PG_block_positions)  # type: ignore[valid-type]
    rotations: PointerProperty(type=IDENTBOX_PG_block_rotations)  # type: ignore[valid-type]
    hues: PointerProperty(type=IDENTBOX_PG_block_hues)  # type: ignore[valid-type]
    camera: PointerProperty(type=IDENTBOX_PG_block_camera)  # type: ignore[valid-type]
    lighting: PointerProperty(type=IDENTBOX_PG_block_lighting)  # type: ignore[valid-type]
    edges: CollectionProperty(type=IDENTBOX_PG_edge)  # type: ignore[valid-type]
    active_edge: IntProperty(name="Active Edge")  # type: ignore[valid-type]
    views: CollectionProperty(type=IDENTBOX_PG_view)  # type: ignore[valid-type]
    active_view: IntProperty(name="Active View")  # type: ignore[valid-type]
    scene_options: PointerProperty(type=IDENTBOX_PG_scene_options)  # type: ignore[valid-type]
    render: PointerProperty(type=IDENTBOX_PG_render)  # type: ignore[valid-type]
    sample_index: IntProperty(  # type: ignore[valid-type]
        name="Sample", min=0, update=_preview_update,
        description="Pair shown in the viewport (scrub to preview the dataset)")
    preview_view: IntProperty(  # type: ignore[valid-type]
        name="View", min=1, max=N_VIEWS.maximum, get=lambda self: _preview_view(self),
        set=lambda self, value: _set_preview_view(self, value), update=_preview_update,
        description="Which view of the sample the viewport shows (1 to the number of views)")
    preview_view_chosen: IntProperty(  # type: ignore[valid-type]
        name="View Chosen", min=1, max=N_VIEWS.maximum, default=1, options={"HIDDEN"},
        description="The view last chosen for the preview (View reads it within the views)")
    progress: PointerProperty(type=IDENTBOX_PG_progress)  # type: ignore[valid-type]
    mode: EnumProperty(  # type: ignore[valid-type]
        name="Mode", items=_mode_items(), description="What to render", update=_mode_update)
    objects: PointerProperty(type=IDENTBOX_PG_block_objects)  # type: ignore[valid-type]
    multi: PointerProperty(type=IDENTBOX_PG_objects)  # type: ignore[valid-type]
    cube: PointerProperty(type=IDENTBOX_PG_cube)  # type: ignore[valid-type]
    intervention: PointerProperty(type=IDENTBOX_PG_intervention)  # type: ignore[valid-type]
    sequence: PointerProperty(type=IDENTBOX_PG_sequence)  # type: ignore[valid-type]


def _n_views(props: Any) -> int:
    """The number of views the Views list holds (a new scene's empty list: the two defaults)."""
    return len(props.views) or N_VIEWS.default


def _preview_view(props: Any) -> int:
    """The view to preview, within the views the list holds now (it follows a removal)."""
    return max(1, min(props.preview_view_chosen, _n_views(props)))


def _set_preview_view(props: Any, value: int) -> None:
    props.preview_view_chosen = max(1, min(value, _n_views(props)))


_filling: set[str] = set()


def fill_default_views_later(props: Any) -> None:
    """Put the two default views into a new scene's Views list (a collection has no default
    items) once the panel has drawn: a draw may not write."""
    scene_name = props.id_data.name
    if scene_name in _filling:
        return
    _filling.add(scene_name)

    def fill() -> None:
        _filling.discard(scene_name)
        scene = bpy.data.scenes.get(scene_name)
        if scene is not None and not scene.identbox.views:
            views_to_props(default_views_of(scene.identbox), scene.identbox)
            for window in bpy.context.window_manager.windows:
                for area in window.screen.areas:
                    area.tag_redraw()

    bpy.app.timers.register(fill, first_interval=0.0)


def preview_from_ui(context: Any, props: Any) -> str | None:
    """Preview the sample (or the sequence's frame) the panel's slider names; an error text
    instead of raising."""
    try:
        if props.mode == SEQUENCE_MODE:
            sequence = sequence_settings_from_props(props)
            show_sequence_frame(context, sequence, min(props.sequence.frame,
                                                       sequence.frames - 1), props)
            return None
        settings = pair_settings_from_props(props)
        show_any_sample(context, settings, min(props.sample_index, settings.n_pairs - 1),
                        min(props.preview_view, settings.n_views), props)
    except SettingsError as error:
        return str(error)
    return None
