"""Preview: put one view of one sample into the IdentBox scene and show it in the viewport.

The latents of the current settings are sampled once and cached (sampling is the same code
as the dataset's, so the preview is exactly what will be rendered).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import bpy

from ..errors import SettingsError
from ..sampling.pose import scene_state
from ..sampling.sampler import LatentPairs
from ..settings.contract import PairKindSettings
from ..settings.kinds import kind_of
from ..settings.objects import MultiObjectSettings
from ..settings.pairs import DatasetSettings
from ..settings.parts import as_preview
from ..settings.rig import state_with_rig
from ..settings.sequence import SequenceSettings
from ..settings.sequence_frames import frame_row
from .apply import apply_state
from .builder import SceneHandles, build_scene
from .multi import BlenderMultiRenderer
from .render_setup import configure_render
from .sequence import BlenderSequenceRenderer

# Each preview cache: what was made, and the settings key it was made from.
_latents: dict[str, Any] = {"key": None, "value": None}
_scene: dict[str, Any] = {"key": None, "value": None}
_objects: dict[str, Any] = {"key": None, "value": None}
_objects_latents: dict[str, Any] = {"key": None, "value": None}
_sequence: dict[str, Any] = {"key": None, "value": None}
# How each viewport looked before it was turned to an IdentBox camera, by area; restored by
# leave_identbox_scene. Kept in the user's scene (an ID property, saved with the file), so that
# Back to Scene after reopening a saved file restores them too.
VIEWS_KEY = "identbox_user_views"
# (owner path, attribute) of each viewport setting IdentBox changes while it shows a scene.
# The perspective first: leaving camera view sets the rotation, which is restored after it.
VIEW_SETTINGS = (("region_3d", "view_perspective"), ("region_3d", "view_rotation"),
                 ("region_3d", "view_location"), ("region_3d", "view_distance"),
                 ("shading", "type"), ("shading", "color_type"), ("overlay", "show_extras"),
                 ("overlay", "show_floor"), ("overlay", "show_axis_x"),
                 ("overlay", "show_axis_y"), ("overlay", "show_cursor"),
                 ("overlay", "show_relationship_lines"))
PREVIEW_SAMPLES = 32  # the rendered viewport's samples (fewer if the dataset has fewer)


def _settings_key(data: dict[str, Any], *names: str) -> str:
    return json.dumps({name: data.get(name) for name in names} if names else data, sort_keys=True)


def _cached(cache: dict[str, Any], key: str, make: Callable[[], Any],
            alive: Callable[[Any], bool] = lambda value: True) -> Any:
    """cache's value, made again when the key changed or its datablocks are gone."""
    try:
        valid = cache["value"] is not None and cache["key"] == key and alive(cache["value"])
    except ReferenceError:  # the datablocks were deleted (new file, undo)
        valid = False
    if not valid:
        cache["value"], cache["key"] = make(), key
    return cache["value"]


def cached_latents(settings: DatasetSettings) -> LatentPairs:
    """The settings' latents, sampled once per distinct sampling settings."""
    key = _settings_key(settings.to_dict(), "n_pairs", "seed", "n_views", "blocks",
                        "causal_edges")
    return _cached(_latents, key, settings.sample)


def identbox_scene(settings: DatasetSettings) -> SceneHandles:
    """The built IdentBox scene, rebuilt only when its scene settings changed or it is gone."""
    return _cached(_scene, _settings_key(settings.to_dict(), "scene"),
                   lambda: build_scene(settings.scene),
                   lambda handles: handles.teapot.name is not None
                   and handles.scene.name is not None)


def home_scene(scene: Any) -> Any:
    """The scene that holds the settings `scene` shows: itself, or, for an IdentBox scene,
    the user's scene it was opened from."""
    home = getattr(scene, "identbox_home", None)
    return home if home is not None else scene


def _view_state(space: Any) -> dict[str, Any]:
    """The viewport's settings that a preview changes, copied (a rotation or location read
    from Blender is a live view of the viewport's, which the preview would move too)."""
    state = {}
    for owner, name in VIEW_SETTINGS:
        value = getattr(getattr(space, owner), name)
        state[f"{owner}.{name}"] = value.copy() if hasattr(value, "copy") else value
    return state


def _set_view_state(space: Any, state: dict[str, Any]) -> None:
    for owner, name in VIEW_SETTINGS:
        key = f"{owner}.{name}"
        if key in state:
            setattr(getattr(space, owner), name, state[key])


def set_preview_samples(scene: Any, samples: int) -> None:
    """The rendered viewport's samples. A Cycles setting set from Python does not tag the
    scene for the depsgraph, so the viewport kept drawing the scene's old copy (1024 samples
    on a first preview) until something else tagged it: tag it."""
    scene.cycles.preview_samples = samples
    scene.update_tag()


def show_scene(context: Any, scene: Any, source_props: Any, rendered: bool = False) -> None:
    """Show an IdentBox scene in the window through its camera, framed to fit the viewport,
    without light and camera gizmos: rendered (a preview: exactly what will be drawn) or in
    solid colours (while a run draws). The scene points back at the scene that holds the
    settings (no copy), so the panel there shows the same settings."""
    home = home_scene(source_props.id_data)
    if scene != home and scene.identbox_home != home:
        scene.identbox_home = home
    if rendered:
        set_preview_samples(scene, min(PREVIEW_SAMPLES, scene.cycles.samples))
    window = getattr(context, "window", None)
    if window is None:
        return
    screen = window.screen
    areas = [area for area in screen.areas if area.type == "VIEW_3D"] if screen else []
    if window.scene == home:  # leaving the user's scene: remember how their viewports looked
        home[VIEWS_KEY] = {_area_key(screen, k): _plain(_view_state(area.spaces.active))
                           for k, area in enumerate(areas)}
    if window.scene != scene:
        window.scene = scene
    for area in areas:
        space = area.spaces.active
        was_camera = space.region_3d.view_perspective == "CAMERA"
        _set_view_state(space, {"region_3d.view_perspective": "CAMERA",
                                "shading.type": "RENDERED" if rendered else "SOLID",
                                "shading.color_type": "OBJECT", "overlay.show_extras": False,
                                "overlay.show_floor": False, "overlay.show_axis_x": False,
                                "overlay.show_axis_y": False, "overlay.show_cursor": False,
                                # the spotlight's dashed line to the object it tracks
                                "overlay.show_relationship_lines": False})
        region = next((r for r in area.regions if r.type == "WINDOW"), None)
        if region is not None and not was_camera and hasattr(context, "temp_override"):
            with context.temp_override(window=window, area=area, region=region):
                bpy.ops.view3d.view_center_camera()  # the whole frame in view
        area.tag_redraw()


def _area_key(screen: Any, index: int) -> str:
    """A 3D viewport's name that survives saving and reopening: its screen and its place."""
    return f"{screen.name}:{index}"


def _plain(state: dict[str, Any]) -> dict[str, Any]:
    """A view state as an ID property can hold it (vectors and quaternions as lists)."""
    return {key: list(value) if hasattr(value, "__len__") and not isinstance(value, str)
            else value for key, value in state.items()}


# What Back to Scene gives a viewport whose state was never saved (a file saved by an older
# IdentBox): the user's perspective, solid shading and every overlay, not the camera view.
UNSAVED_VIEW = {"region_3d.view_perspective": "PERSP", "shading.type": "SOLID",
                "shading.color_type": "MATERIAL", "overlay.show_extras": True,
                "overlay.show_floor": True, "overlay.show_axis_x": True,
                "overlay.show_axis_y": True, "overlay.show_cursor": True,
                "overlay.show_relationship_lines": True}


def leave_identbox_scene(context: Any) -> Any:
    """Back to the scene that holds the settings, its viewports as they were; returns it."""
    window = context.window
    home = home_scene(window.scene)
    window.scene = home
    saved = home.get(VIEWS_KEY)
    saved = saved.to_dict() if hasattr(saved, "to_dict") else {}
    areas = [area for area in window.screen.areas if area.type == "VIEW_3D"]
    for k, area in enumerate(areas):
        _set_view_state(area.spaces.active, saved.get(_area_key(window.screen, k), UNSAVED_VIEW))
        area.tag_redraw()
    if VIEWS_KEY in home:
        del home[VIEWS_KEY]
    return home


def show_sample(context: Any, settings: DatasetSettings, index: int, view: int,
                source_props: Any) -> SceneHandles:
    """Apply sample `index`, view 1 or 2, to the IdentBox scene and show it (show_scene); the
    render settings are applied too, so a render matches what the viewport shows."""
    if not 0 <= index < settings.n_pairs:
        raise SettingsError("sample_index", index, f"an integer in [0, {settings.n_pairs - 1}]")
    pairs = cached_latents(settings)
    handles = identbox_scene(settings)
    configure_render(handles.scene, settings.render)
    row = pairs.latents(view)[index]
    state = scene_state(row, handles.object_size, settings.scene.hue_mapping)
    apply_state(handles, state_with_rig(state, settings, row), settings.view_material(view))
    show_scene(context, handles.scene, source_props, rendered=True)
    return handles


def show_objects_sample(context: Any, settings: MultiObjectSettings, index: int, view: int,
                        source_props: Any) -> None:
    """Apply sample `index`, view 1 or 2, of a multi-object dataset to the IdentBox Objects
    scene and show it rendered; the scene is rebuilt only when its objects or look change."""
    if not 0 <= index < settings.n_pairs:
        raise SettingsError("sample_index", index, f"an integer in [0, {settings.n_pairs - 1}]")
    data = settings.to_dict()
    renderer = _cached(
        _objects, _settings_key(data, "n_objects", "object_types", "scene", "render"),
        lambda: BlenderMultiRenderer(settings, device="cpu", log=lambda _: None, preview=True),
        lambda built: built.scene.name is not None and all(o.name for o in built.objects))
    pairs = _cached(_objects_latents, _settings_key(data), settings.sample)
    renderer.settings = settings  # same objects and look; blocks and views may differ
    renderer.show(pairs.latents(view)[index], view)
    show_scene(context, renderer.scene, source_props, rendered=True)


def show_sequence_frame(context: Any, settings: SequenceSettings, frame: int,
                        source_props: Any) -> BlenderSequenceRenderer:
    """Put a sequence's frame into the IdentBox Sequence scene, through the renderer that
    draws the dataset, and show it rendered; the latents are sampled once per settings and
    the scene is rebuilt only when its shapes or look change."""
    row = frame_row(settings, frame)  # a frame outside the sequence: before any scene
    renderer = _cached(
        _sequence, _settings_key(settings.to_dict(), "n_shapes", "object_types", "scene",
                                 "render"),
        lambda: BlenderSequenceRenderer(settings, device="cpu", log=lambda _: None,
                                        preview=True),
        lambda built: built.scene.name is not None and built.object.name is not None)
    renderer.settings = settings  # same shapes and look
    renderer.show(row)
    show_scene(context, renderer.scene, source_props, rendered=True)
    return renderer


def show_any_sample(context: Any, settings: PairKindSettings, index: int, view: int,
                    source_props: Any) -> None:
    """Preview a sample of the panel's settings as its kind shows one (the kinds table)."""
    preview = kind_of(settings).preview
    if preview is None:
        raise SettingsError("mode", kind_of(settings).label, "a mode of pairs (this one has "
                            "a preview of its own)")
    as_preview(preview)(context, settings, index, view, source_props)
