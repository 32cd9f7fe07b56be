"""DatasetSettings to and from the scene's IdentBox properties (or any object shaped like them).

No bpy here: the property groups (properties/) only declare fields named after the settings,
and this module moves values between those fields and the one settings object.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..errors import SettingsError
from ..limits import Limit
from ..model.shape_files import SYNTAX
from ..sampling.distributions import Conditional, Marginal
from ..sampling.factors import BLOCK_NAMES, FACTOR_NAMES
from ..sampling.multi import OBJECT_TYPES
from ..sampling.rig import RIG_BLOCKS
from ..sampling.text import TEXT_WORDS
from .cube import CubeSettings
from .interventions import InterventionSettings
from .kinds import (
    OBJECTS_MODE,
    PAIRS_MODE,
    SEQUENCE_MODE,
    Kind,
    kind_of,
    kind_of_mode,
    kinds,
)
from .objects import MultiObjectSettings
from .pairs import BlockSettings, CausalEdge, DatasetSettings
from .parts import as_from_props, as_to_props
from .render import RENDER_SPECS, SCENE_SPECS, RenderSettings, RunOptions, SceneSettings
from .sequence import KIND as SEQUENCE_KIND
from .sequence import SequenceSettings
from .text import TextSettings
from .views import N_VIEWS, TEXT, ViewSettings, default_name, default_view, views_of

MARGINAL_FIELDS = ("kind", "low", "high", "std")
MESH_FILES_SEPARATOR = ";"  # the Mesh Files field holds object types that name files
MESH_FILES_TEXT = (f"More object types, from mesh files, separated by '{MESH_FILES_SEPARATOR}': "
                   f"{SYNTAX}; an absolute path, or one relative to the current folder")
CONDITIONAL_FIELDS = ("kind", "std", "half_width")
GROUP_SEPARATOR, NAME_SEPARATOR = ";", ","  # the Groups field: "pos_x, pos_y; hue_object"
GROUPS_TEXT = (f"Factors targeted together: names separated by '{NAME_SEPARATOR}', groups by "
               f"'{GROUP_SEPARATOR}' (e.g. pos_x, pos_y; hue_object); empty: each factor alone")
MESH_FILE = "file"  # a sequence shape's choice that draws it from the mesh file typed under it
# The Sequence panel's P(intervene) when the reference's default is not used (the default is
# the reference's p of one shape, 1 / 7, so unticking it starts from the same number).
SEQUENCE_PROBABILITY = Limit("intervention_probability", "P(intervene)",
                             "The probability that each causal group is a target per step",
                             1.0 / 7.0, 0.0, 1.0)


def _value(props: Any, name: str) -> Any:
    """A property's value; floats come back as the shortest decimal of their 32-bit value
    (Blender stores floats in 32 bits: 0.1 reads back as 0.10000000149), so a preset shown in
    the panel gives the very same settings, and manifest, as on the command line."""
    value = getattr(props, name)
    return float(str(np.float32(value))) if isinstance(value, float) else value


def _within(path: str, make: Callable[[], Any]) -> Any:
    """make(), with any SettingsError naming its full setting path."""
    try:
        return make()
    except SettingsError as error:
        raise error.within(path) from None


def _block_from(name: str, props: Any) -> BlockSettings:
    path = f"blocks.{name}"
    roles = tuple(props.view_roles.split(",")) if props.view_roles else None
    marginal = _within(f"{path}.marginal", lambda: Marginal(
        **{f: _value(props, f"marginal_{f}") for f in MARGINAL_FIELDS}))
    conditional = _within(f"{path}.conditional", lambda: Conditional(
        **{f: _value(props, f"conditional_{f}") for f in CONDITIONAL_FIELDS}))
    return _within(path, lambda: BlockSettings(
        type=props.type, marginal=marginal, conditional=conditional,
        change_probability=_value(props, "change_probability"), view_roles=roles))


def _edge_from(props: Any) -> CausalEdge:
    return CausalEdge(props.parent, props.child, _value(props, "strength"))


def scene_from_props(props: Any) -> SceneSettings:
    """The scene settings of either mode."""
    return _within("scene", lambda: SceneSettings(
        **{s.name: _value(props.scene_options, s.name) for s in SCENE_SPECS}))


def scene_and_render_from_props(props: Any) -> tuple[SceneSettings, RenderSettings]:
    """The scene and render settings of either mode."""
    scene = scene_from_props(props)
    render = _within("render", lambda: RenderSettings(
        **{s.name: _value(props.render, s.name) for s in RENDER_SPECS}))
    return scene, render


def _scene_and_render_to(settings: DatasetSettings | MultiObjectSettings, props: Any) -> None:
    """Show the scene and render settings of either mode in the properties."""
    scene_and_render_to_props(settings.scene, settings.render, props)


def scene_and_render_to_props(scene: SceneSettings, render: RenderSettings, props: Any) -> None:
    """Show scene and render settings in the properties (both modes share them)."""
    for spec in SCENE_SPECS:
        setattr(props.scene_options, spec.name, getattr(scene, spec.name))
    for spec in RENDER_SPECS:
        setattr(props.render, spec.name, getattr(render, spec.name))


def default_views_of(props: Any) -> tuple[ViewSettings, ...]:
    """The two views of a dataset without a views list, with the properties' scene."""
    scene = scene_from_props(props)
    return tuple(default_view(k, scene) for k in range(1, N_VIEWS.default + 1))


def described_words(item: Any) -> tuple[str, ...]:
    """The words a view item's checkboxes describe, in the order its settings gave them (so
    a preset comes back unchanged: the order sets words.npy's columns and the draws); words
    checked since come after, in TEXT_WORDS' order."""
    order = [w for w in item.describe_order.split(",") if w in TEXT_WORDS]
    checked = [w for w in TEXT_WORDS if getattr(item, f"describe_{w}")]
    return (*(w for w in order if w in checked), *(w for w in checked if w not in order))


def text_from_view(item: Any) -> TextSettings:
    """A view item's words and templates as text settings; SettingsError names the field."""
    return TextSettings(described_words(item), tuple(t.text for t in item.templates),
                        item.text_objects, item.text_order)


def text_to_view(text: TextSettings, item: Any) -> None:
    """Show text settings in a view item: its checkboxes, their order, its templates."""
    for word in TEXT_WORDS:
        setattr(item, f"describe_{word}", word in text.describe)
    item.describe_order = ",".join(text.describe)
    item.templates.clear()
    for template in text.templates:
        item.templates.add().text = template
    item.active_template = 0
    item.text_objects, item.text_order = text.objects, text.order


def _view_from(item: Any) -> ViewSettings:
    text = _within("text", functools.partial(text_from_view, item)) \
        if item.modality == TEXT else None
    return ViewSettings(item.name, item.modality, item.material, text)


def views_from_props(props: Any) -> tuple[ViewSettings, ...]:
    """The views the Views list holds (a new scene's empty list: the two default views)."""
    return tuple(_within(f"views[{k}]", functools.partial(_view_from, item))
                 for k, item in enumerate(props.views)) or default_views_of(props)


def views_to_props(views: Sequence[ViewSettings], props: Any) -> None:
    """Show views (every one, defaults filled in) in the Views list; an image view's words
    and templates are emptied (made a text view, it gets the defaults)."""
    props.views.clear()
    for view in views:
        item = props.views.add()
        item.name, item.material = view.name, view.material
        text_to_view(view.text or TextSettings(), item)
        if view.text is None:
            item.templates.clear()
        item.modality = view.modality  # last: a text view's templates are there already
    props.active_view = min(props.active_view, len(views) - 1)


def proposed_template(item: Any) -> str:
    """The template the Templates list's + adds: a copy of the selected one, to edit into a
    paraphrase, or (none yet) the described words' placeholders in a plain sentence."""
    if len(item.templates):
        return str(item.templates[min(max(item.active_template, 0),
                                      len(item.templates) - 1)].text)
    names = [p for word in described_words(item) for p in TEXT_WORDS[word]]
    return "A scene: " + ", ".join("{" + p + "}" for p in names) + "."


def proposed_view(props: Any) -> ViewSettings:
    """The view the Views list's + adds: the next view's default (view 2's material), named
    mK unless a view has that name (then the next free mN)."""
    names = [item.name for item in props.views]
    number = next(n for n in itertools.count(len(names) + 1) if default_name(n) not in names)
    return dataclasses.replace(default_view(len(names) + 1, scene_from_props(props)),
                               name=default_name(number))


def rig_blocks_from_props(props: Any) -> dict[str, BlockSettings]:
    """The camera and lighting blocks the panel turned on."""
    return {name: _block_from(name, getattr(props, name)) for name in RIG_BLOCKS
            if getattr(props, name).enabled}


def rig_blocks_to_props(settings: DatasetSettings | MultiObjectSettings, props: Any) -> None:
    """Turn the camera and lighting blocks on (with their settings) or off, as settings say."""
    for name in RIG_BLOCKS:
        getattr(props, name).enabled = name in settings.blocks


def settings_from_props(props: Any) -> DatasetSettings:
    """The dataset the properties describe; SettingsError (naming the setting) if invalid."""
    blocks = {name: _block_from(name, getattr(props, name)) for name in BLOCK_NAMES}
    blocks |= rig_blocks_from_props(props)
    edges = tuple(_within(f"causal_edges[{i}]", functools.partial(_edge_from, edge))
                  for i, edge in enumerate(props.edges))
    scene, render = scene_and_render_from_props(props)
    views = views_from_props(props)
    return DatasetSettings(name=props.name or "custom", description=props.description,
                           n_pairs=props.n_pairs, seed=props.seed, n_views=len(views),
                           views=views, blocks=blocks, causal_edges=edges, scene=scene,
                           render=render, intervention=intervention_from_props(props.intervention))


def groups_from_text(text: str) -> tuple[tuple[str, ...], ...]:
    """The Groups field's groups ("pos_x, pos_y; hue_object"); blank groups are skipped."""
    return tuple(tuple(name.strip() for name in part.split(NAME_SEPARATOR) if name.strip())
                 for part in text.split(GROUP_SEPARATOR) if part.strip())


def groups_to_text(groups: Sequence[Sequence[str]]) -> str:
    """Groups as the Groups field shows them."""
    return f"{GROUP_SEPARATOR} ".join(f"{NAME_SEPARATOR} ".join(group) for group in groups)


def intervention_from_props(intervention: Any) -> InterventionSettings | None:
    """The Intervention box's settings, None while it is off."""
    if not intervention.enabled:
        return None
    return _within("intervention", lambda: InterventionSettings(
        mode=intervention.mode, targets=intervention.targets,
        probability=_value(intervention, "probability"),
        groups=groups_from_text(intervention.groups)))


def intervention_to_props(settings: InterventionSettings | None, intervention: Any) -> None:
    """Show intervention settings in the Intervention box (None: turned off, fields kept)."""
    intervention.enabled = settings is not None
    if settings is not None:
        intervention.mode, intervention.targets = settings.mode, settings.targets
        intervention.probability = settings.probability
        intervention.groups = groups_to_text(settings.groups)


def run_options_from_props(props: Any) -> RunOptions:
    """Device and shard of this run."""
    return RunOptions(device=props.device, batch_index=props.batch_index,
                      n_batches=props.n_batches, workers=props.workers)


def _block_to(block: BlockSettings, target: Any) -> None:
    target.type = block.type
    for field in MARGINAL_FIELDS:
        setattr(target, f"marginal_{field}", getattr(block.marginal, field))
    for field in CONDITIONAL_FIELDS:
        setattr(target, f"conditional_{field}", getattr(block.conditional, field))
    target.change_probability = block.change_probability
    target.view_roles = ",".join(block.view_roles) if block.view_roles else ""


def settings_to_props(settings: DatasetSettings, props: Any) -> None:
    """Show a settings object (a preset, a manifest) in the properties, in Pairs mode."""
    props.mode = PAIRS_MODE
    props.name = settings.name
    props.description = settings.description
    props.n_pairs = settings.n_pairs
    props.seed = settings.seed
    for name, block in settings.blocks.items():
        _block_to(block, getattr(props, name))
    rig_blocks_to_props(settings, props)
    props.edges.clear()
    for edge in settings.causal_edges:
        item = props.edges.add()
        item.parent, item.child, item.strength = edge.parent, edge.child, edge.strength
    intervention_to_props(settings.intervention, props.intervention)
    views_to_props(views_of(settings), props)  # before the scene: its materials stay the preset's
    _scene_and_render_to(settings, props)


def sequence_types_from_props(sequence: Any) -> tuple[str, ...]:
    """The type drawn for each of the sequence's shapes: a built-in one, or a mesh file."""
    types = []
    for k in range(int(sequence.n_shapes)):
        chosen = getattr(sequence, f"shape_{k}")
        types.append(getattr(sequence, f"file_{k}").strip() if chosen == MESH_FILE else chosen)
    return tuple(types)


def sequence_settings_from_props(props: Any) -> SequenceSettings:
    """The sequence dataset the properties describe (Sequence mode)."""
    sequence = props.sequence
    reference = sequence.single_target or sequence.reference_probability
    probability = None if reference else _value(sequence, "intervention_probability")
    scene, render = scene_and_render_from_props(props)
    return SequenceSettings(
        name=props.name or SEQUENCE_KIND, description=props.description, model=sequence.model,
        n_shapes=int(sequence.n_shapes), n_frames=sequence.n_frames,
        n_episodes=sequence.n_episodes, n_independent=sequence.n_independent,
        n_triplets=sequence.n_triplets, intervention_probability=probability,
        single_target=sequence.single_target, instantaneous=sequence.instantaneous,
        seed=sequence.seed, object_types=sequence_types_from_props(sequence), scene=scene,
        render=render)


def sequence_settings_to_props(settings: SequenceSettings, props: Any) -> None:
    """Show sequence settings (a preset, a manifest) in the properties, in Sequence mode."""
    props.mode = SEQUENCE_MODE
    props.name, props.description = settings.name, settings.description
    sequence = props.sequence
    sequence.model, sequence.n_shapes = settings.model, str(settings.n_shapes)
    sequence.n_frames, sequence.n_episodes = settings.n_frames, settings.n_episodes
    sequence.n_independent, sequence.n_triplets = settings.n_independent, settings.n_triplets
    sequence.reference_probability = settings.intervention_probability is None
    if settings.intervention_probability is not None:
        sequence.intervention_probability = settings.intervention_probability
    sequence.single_target, sequence.instantaneous = (settings.single_target,
                                                      settings.instantaneous)
    sequence.seed = settings.seed
    for k, kind in enumerate(settings.object_types):
        built_in = kind in OBJECT_TYPES
        setattr(sequence, f"shape_{k}", kind if built_in else MESH_FILE)
        setattr(sequence, f"file_{k}", "" if built_in else kind)
    scene_and_render_to_props(settings.scene, settings.render, props)


def cube_settings_from_props(cube: Any) -> CubeSettings:
    """The cube job the Cube properties describe (sizes typed as '32 64 128 256')."""
    try:
        sizes = tuple(int(word) for word in cube.sizes.replace(",", " ").split())
    except ValueError:
        raise SettingsError("cube.sizes", cube.sizes, "whole numbers such as 32 64 128 256") \
            from None
    return _within("cube", lambda: CubeSettings(
        step=_value(cube, "step"), random_frames=cube.random_frames, seed=cube.seed,
        sizes=sizes, file_format=cube.file_format, jpeg_quality=cube.jpeg_quality,
        samples=cube.samples))


def multi_settings_from_props(props: Any) -> MultiObjectSettings:
    """The multi-object dataset the properties describe (Objects mode)."""
    multi = props.multi
    blocks = {name: _block_from(name, getattr(props, name))
              for name in ("objects", "positions", "rotations", "hues")}
    blocks |= rig_blocks_from_props(props)
    types = tuple(kind for kind in OBJECT_TYPES if getattr(multi, f"type_{kind}"))
    types += tuple(path.strip() for path in multi.mesh_files.split(MESH_FILES_SEPARATOR)
                   if path.strip())
    scene, render = scene_and_render_from_props(props)
    views = views_from_props(props)
    return MultiObjectSettings(
        name=props.name or "multi_objects", description=props.description,
        n_pairs=props.n_pairs, seed=props.seed, n_views=len(views), views=views,
        n_objects=multi.n_objects, object_types=types,
        blocks=blocks, min_gap=_value(multi, "min_gap"), min_pixels=_value(multi, "min_pixels"),
        masks=multi.masks, depth=multi.depth, scene=scene, render=render)


def multi_settings_to_props(settings: MultiObjectSettings, props: Any) -> None:
    """Show multi-object settings (a preset, a manifest) in the properties, in Objects mode."""
    props.mode = OBJECTS_MODE
    props.name, props.description = settings.name, settings.description
    props.n_pairs, props.seed = settings.n_pairs, settings.seed
    multi = props.multi
    multi.n_objects, multi.min_gap, multi.min_pixels = (settings.n_objects, settings.min_gap,
                                                        settings.min_pixels)
    multi.masks, multi.depth = settings.masks, settings.depth
    for kind in OBJECT_TYPES:
        setattr(multi, f"type_{kind}", kind in settings.object_types)
    multi.mesh_files = f"{MESH_FILES_SEPARATOR} ".join(
        kind for kind in settings.object_types if kind not in OBJECT_TYPES)
    for name, block in settings.blocks.items():
        _block_to(block, getattr(props, name))
    rig_blocks_to_props(settings, props)
    views_to_props(views_of(settings), props)  # before the scene: its materials stay the preset's
    _scene_and_render_to(settings, props)


def loads_into_panel(kind: Kind) -> bool:
    """Whether the panel shows this kind's presets and manifests (its table entry says how)."""
    return kind.panel is not None and kind.panel.to_props is not None


def show_in_props(settings: Any, props: Any) -> None:
    """Show settings of any kind the panel edits (a preset, a manifest) in the properties, and
    switch the panel to that kind's mode."""
    kind = kind_of(settings)
    if kind.panel is None or kind.panel.to_props is None:
        raise SettingsError("preset", settings.name, "settings of a kind the panel edits: "
                            + ", ".join(k.name for k in kinds() if loads_into_panel(k)))
    as_to_props(kind.panel.to_props)(settings, props)


def cube_settings_of_props(props: Any) -> CubeSettings:
    """The cube's settings in the panel (its own property group)."""
    return cube_settings_from_props(props.cube)


def panel_settings(props: Any) -> Any:
    """The settings of the panel's mode, whichever it is (Pairs, Objects, Sequence or Cube):
    the mode's kind converts them (the kinds table)."""
    panel = kind_of_mode(props.mode).panel
    assert panel is not None
    return as_from_props(panel.from_props)(props)


def job_settings_from_props(props: Any) -> DatasetSettings | MultiObjectSettings | SequenceSettings:
    """The pair, multi-object or sequence dataset, as the panel's mode says."""
    if props.mode == SEQUENCE_MODE:
        return sequence_settings_from_props(props)
    return pair_settings_from_props(props)


def pair_settings_from_props(props: Any) -> DatasetSettings | MultiObjectSettings:
    """The pair or multi-object dataset: Objects mode's, else (Pairs, or the pairs that Add
    Preset saves in Cube mode) the one-object pairs."""
    return multi_settings_from_props(props) if props.mode == OBJECTS_MODE \
        else settings_from_props(props)


def proposed_edge(settings: DatasetSettings) -> CausalEdge | None:
    """The first parent -> child edge (in factor order) that the settings accept as one more:
    what the Causal list's + adds, so it never proposes an invalid graph."""
    for parent in FACTOR_NAMES:
        for child in FACTOR_NAMES:
            try:
                edge = CausalEdge(parent, child)
                settings.replace(causal_edges=(*settings.causal_edges, edge))
            except SettingsError:
                continue
            return edge
    return None


# How the panel names the parts of a setting's path (blocks.positions.marginal.low and so on).
PANEL_WORDS = {"blocks": "", "directory": "Output Folder", "n_pairs": "Pairs", "n_views": "Views",
               "batch_index": "Shard", "n_batches": "Shards", "marginal": "View 1",
               "conditional": "View 2", "change_probability": "P(change)",
               "n_objects": "Objects", "min_gap": "Min Gap", "min_pixels": "Min Pixels",
               "render": "", "scene": "", "cube": "Cube", "n_frames": "Frames",
               "n_episodes": "Episodes", "n_shapes": "Shapes",
               "n_independent": "Independent", "n_triplets": "Triplets",
               "intervention_probability": "P(intervene)"}


def panel_message(error: SettingsError) -> str:
    """A settings error in the panel's words: the setting as the panel labels it, its value,
    and what it needs ('Positions, View 1, Low 0.9: needs a value below High ...')."""
    words = []
    for part in error.setting.split("."):
        name, _, index = part.partition("[")
        word = PANEL_WORDS.get(name, name.replace("_", " ").title())
        if index:
            word = f"{word.rstrip('s')} {int(index.rstrip(']')) + 1}"
        if word:
            words.append(word)
    return f"{', '.join(words)} {error.value!r}: needs {error.allowed}"
