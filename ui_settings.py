"""DatasetSettings to and from the scene's IdentBox properties (or any object shaped like them).

No bpy here: the property groups (properties/) only declare fields named after the settings,
and this module moves values between those fields and the one settings object.
"""

from __future__ import annotations

from typing import Any

from .render_settings import RENDER_SPECS, SCENE_SPECS, RenderSettings, RunOptions, SceneSettings
from .sampling.distributions import Conditional, Marginal
from .sampling.factors import BLOCK_NAMES
from .settings import BlockSettings, CausalEdge, DatasetSettings

MARGINAL_FIELDS = ("kind", "low", "high", "std")
CONDITIONAL_FIELDS = ("kind", "std", "half_width")


def _block_from(props: Any) -> BlockSettings:
    roles = tuple(props.view_roles.split(",")) if props.view_roles else None
    return BlockSettings(
        type=props.type,
        marginal=Marginal(**{f: getattr(props, f"marginal_{f}") for f in MARGINAL_FIELDS}),
        conditional=Conditional(**{f: getattr(props, f"conditional_{f}")
                                   for f in CONDITIONAL_FIELDS}),
        change_probability=props.change_probability,
        view_roles=roles,
    )


def settings_from_props(props: Any) -> DatasetSettings:
    """The dataset the properties describe; SettingsError (naming the setting) if invalid."""
    return DatasetSettings(
        name=props.name or "custom",
        description=props.description,
        n_pairs=props.n_pairs,
        seed=props.seed,
        blocks={name: _block_from(getattr(props, name)) for name in BLOCK_NAMES},
        causal_edges=tuple(CausalEdge(e.parent, e.child, e.strength) for e in props.edges),
        scene=SceneSettings(**{s.name: getattr(props.scene_options, s.name) for s in SCENE_SPECS}),
        render=RenderSettings(**{s.name: getattr(props.render, s.name) for s in RENDER_SPECS}),
    )


def run_options_from_props(props: Any) -> RunOptions:
    """Device and shard of this run."""
    return RunOptions(device=props.device, batch_index=props.batch_index,
                      n_batches=props.n_batches)


def settings_to_props(settings: DatasetSettings, props: Any) -> None:
    """Show a settings object (a preset, a manifest) in the properties."""
    props.name = settings.name
    props.description = settings.description
    props.n_pairs = settings.n_pairs
    props.seed = settings.seed
    for name, block in settings.blocks.items():
        target = getattr(props, name)
        target.type = block.type
        for field in MARGINAL_FIELDS:
            setattr(target, f"marginal_{field}", getattr(block.marginal, field))
        for field in CONDITIONAL_FIELDS:
            setattr(target, f"conditional_{field}", getattr(block.conditional, field))
        target.change_probability = block.change_probability
        target.view_roles = ",".join(block.view_roles) if block.view_roles else ""
    props.edges.clear()
    for edge in settings.causal_edges:
        item = props.edges.add()
        item.parent, item.child, item.strength = edge.parent, edge.child, edge.strength
    for spec in SCENE_SPECS:
        setattr(props.scene_options, spec.name, getattr(settings.scene, spec.name))
    for spec in RENDER_SPECS:
        setattr(props.render, spec.name, getattr(settings.render, spec.name))
