"""Dataset presets: JSON files in this folder, each a (partial) DatasetSettings table."""

from __future__ import annotations

import json
from pathlib import Path
from typing import overload

from ..errors import SettingsError
from ..jsonfile import UnreadableJSONError, read_json
from ..settings.contract import PairKindSettings
from ..settings.kinds import settings_from_dict
from ..settings.pairs import dataclass_from_dict
from ..settings.render import RenderSettings, SceneSettings
from ..settings.sequence import SequenceSettings

PRESET_DIR = Path(__file__).resolve().parent
RENDER_PRESET_DIR = PRESET_DIR / "render"
SCENE_PRESET_DIR = PRESET_DIR / "scene"
PUBLISHED = "published"
DEFAULT_RENDER_PRESET = "fast"
DEFAULT_PRESET = "hues_positions_rotations"


def preset_names() -> list[str]:
    """Names of the bundled presets, sorted."""
    return sorted(p.stem for p in PRESET_DIR.glob("*.json"))


def pair_preset_names() -> list[str]:
    """The bundled presets of image pairs of one object (what the panel edits)."""
    return [name for name in preset_names()
            if json.loads((PRESET_DIR / f"{name}.json").read_text(encoding="utf-8"))
            .get("kind", "pairs") == "pairs"]


def read_settings_file(path: Path) -> PairKindSettings:
    """Settings from a JSON file: a preset, or a dataset manifest (its `settings` table)."""
    try:
        data = read_json(path)
    except UnreadableJSONError as error:
        raise SettingsError("preset", str(path), f"a UTF-8 JSON settings file; it {error}") \
            from None
    if not isinstance(data, dict):
        raise SettingsError("preset", str(path), "a JSON table of settings ({...}), not a "
                            f"{type(data).__name__}")
    if "format" in data:  # a dataset's manifest
        if not isinstance(data.get("settings"), dict):
            raise SettingsError("preset", str(path), "a manifest with its 'settings' table")
        data = data["settings"]
    # No kind checks its description (a label, never used as a value): a number would reach
    # the manifest and the panel's text field.
    if not isinstance(data.get("description", ""), str):
        raise SettingsError("description", data["description"], "text (a JSON string)")
    return settings_from_dict(data)


def load_preset(name_or_path: str) -> PairKindSettings:
    """A bundled preset by name, or a settings/manifest JSON file by path."""
    bundled = PRESET_DIR / f"{name_or_path}.json"
    if name_or_path in preset_names():
        return read_settings_file(bundled)
    path = Path(name_or_path)
    if path.suffix == ".json" or path.exists():
        return read_settings_file(path)
    raise SettingsError("preset", name_or_path,
                        "a preset name (" + ", ".join(preset_names()) + ") or a .json file")


def preset_descriptions() -> dict[str, str]:
    """Each bundled preset's one-line description."""
    return {name: load_preset(name).description for name in preset_names()}


def render_preset_names() -> list[str]:
    """Names of the bundled render presets: 'fast' (the default), 'published' and
    'published_fast' (the published quality at a fraction of the time)."""
    return sorted(p.stem for p in RENDER_PRESET_DIR.glob("*.json"))


def render_preset_label(name: str) -> str:
    """A render preset's name as the panel shows it: 'Published Fast'."""
    return name.replace("_", " ").title()


def render_preset_summary(name: str) -> str:
    """A render preset in a few words: '224 px, 16 samples, denoised'."""
    render = load_render_preset(name)
    return (f"{render.resolution} px, {render.samples} samples"
            + (", denoised" if render.denoiser != "none" else ""))


def render_presets_text() -> str:
    """Every bundled render preset with its summary, for help texts."""
    return "; ".join(f"{name}: {render_preset_summary(name)}" for name in render_preset_names())


def load_render_preset(name: str) -> RenderSettings:
    """A bundled render preset by name."""
    if name not in render_preset_names():
        raise SettingsError("render_preset", name, "one of " + ", ".join(render_preset_names()))
    data = json.loads((RENDER_PRESET_DIR / f"{name}.json").read_text(encoding="utf-8"))
    return dataclass_from_dict(RenderSettings, data, "render")


def load_scene_preset(name: str) -> SceneSettings:
    """A bundled scene preset by name ('published': legacy hues, MyMetal and Rubber)."""
    names = sorted(p.stem for p in SCENE_PRESET_DIR.glob("*.json"))
    if name not in names:
        raise SettingsError("scene_preset", name, "one of " + ", ".join(names))
    data = json.loads((SCENE_PRESET_DIR / f"{name}.json").read_text(encoding="utf-8"))
    return dataclass_from_dict(SceneSettings, data, "scene")


@overload
def with_published_look(settings: SequenceSettings) -> SequenceSettings: ...
@overload
def with_published_look(settings: PairKindSettings) -> PairKindSettings: ...
def with_published_look(settings: PairKindSettings | SequenceSettings
                        ) -> PairKindSettings | SequenceSettings:
    """The same dataset drawn as the published 3DIdentBox data was: the originals' legacy hue
    colours, MyMetal and Rubber, and the published render settings (224 px, 512 samples,
    denoised). Latents are untouched."""
    return settings.replace(scene=load_scene_preset(PUBLISHED),
                            render=load_render_preset(PUBLISHED))


def is_published_look(scene: SceneSettings, render: RenderSettings) -> bool:
    """Whether scene and render settings are exactly the published ones."""
    return scene == load_scene_preset(PUBLISHED) and render == load_render_preset(PUBLISHED)


def has_published_look(settings: PairKindSettings) -> bool:
    """Whether a dataset's scene and render settings are exactly the published ones."""
    return is_published_look(settings.scene, settings.render) and all(
        view.material == settings.scene.material(k)  # views: only where one is not the default
        for k, view in enumerate(settings.views, start=1))
