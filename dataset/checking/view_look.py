"""Does a rendered image show what its own view's latents say? Three looks, each read from the
decoded pixels: the ground's hue, the object's hue at its projected centre, and (where view 1's
material is MyMetal) whether the object looks like metal.

Tolerances come from 700 real renders (five presets, the wrapped and the published legacy hue
mapping, 48 to 128 px, 8 to 32 samples, with and without OpenImageDenoise), each image measured
against its own latents, the other view's and another pair's:
- ground hue: own error at most 0.005 on the colour circle (0 to 0.5); tolerance 0.05.
- object hue: own error at most 0.157. A coloured spotlight (saturation 0.8) can pull a fully
  saturated object's hue by up to 2/15 = 0.133 on its lit side; tolerance 0.2. Random hues lie
  further apart than that 60% of the time.
- metal: MyMetal's two glossy BSDFs take the object's colour, whose smallest channel is 0, so
  every lit pixel of a metal object has a zero channel: 95-100% of the lit pixels near its centre
  did; Rubber's grey glossy coat lifts that channel (median 45%, 10% of Rubber images above 0.9).
  Metal is claimed missing below 0.8. PNG only: JPEG lifts zeros.
The ground can show at the centre (through a torus's hole), and in the legacy colours it can be
as saturated as an object: pixels of the ground's hue are not taken for the object's, unless the
two hues are alike. Where a look is not measurable (no lit object pixels near the centre: the
dark side of a metal teapot), nothing is claimed, and a swap of two views whose latents look
alike is not claimed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ...model.colors import hue_to_rgb
from ...model.constants import GROUND_SATURATION, OBJECT_SATURATION
from ...settings.views import image_views
from .checks import Check
from .images import circular_mean_hue, dominant_hue_of, hue_distance, pixel_hues, srgb_to_linear

GROUND_HUE_TOLERANCE = 0.05
OBJECT_HUE_TOLERANCE = 0.2
PATCH_RADIUS = 0.04  # of the resolution: inside the teapot's body wherever it stands
OBJECT_SATURATION_MIN = 0.9  # the object is fully saturated; the ground (0.6) mostly is not
OBJECT_SHARE_MIN = 0.25  # of the patch: fewer such pixels are highlights or ground, not the object
LIT = 0.01  # linear brightness below which a pixel's hue is noise
MIN_PIXELS = 3
METAL_ZERO_LEVEL = 2  # 8-bit: a channel this dark is zero plus render noise
METAL_LIT_LEVEL = 40  # 8-bit: pixels brighter than this in their largest channel
METAL_MIN_SHARE = 0.8


@dataclass(frozen=True)
class LookSpec:
    """What a dataset's images can be checked for, from its manifest's columns and scene."""

    ground_column: int | None
    object_column: int | None  # single-object datasets only: objects can hide each other
    hue_mapping: str
    metal_views: tuple[str, ...]  # views whose object is MyMetal, when the others' is not
    resolution: int


def look_spec(columns: list[dict[str, object]], settings: Any) -> LookSpec:
    """Which looks apply to a dataset with these manifest columns and settings."""
    names = [str(c["name"]) for c in columns]

    def column(*candidates: str) -> int | None:
        return next((names.index(n) for n in candidates if n in names), None)

    scene, render = settings.scene, settings.render
    materials = {f"m{number}": settings.view_material(number) for number in image_views(settings)}
    metal = tuple(v for v, m in materials.items()
                  if m == "MyMetal" and len(set(materials.values())) == 2)  # told apart
    single = "hue_object" in names
    return LookSpec(column("hue_background", "background_hue"),
                    column("hue_object") if single else None,
                    scene.hue_mapping,
                    metal if single and render.file_format == "PNG" else (), render.resolution)


def expected_hue(value: float, saturation: float, mapping: str) -> float:
    """The hue the scene's colour for a hue latent has (legacy colours are clamped first)."""
    rgb = hue_to_rgb(np.array([value]), saturation, mapping).reshape(1, 1, 3)
    return float(pixel_hues(rgb, min_saturation=0.0)[0])


def _patch(image: np.ndarray, centre: np.ndarray, resolution: int) -> np.ndarray:
    """The pixels (N x 3, 8-bit) within PATCH_RADIUS of the object's projected centre."""
    height, width = image.shape[:2]
    radius = PATCH_RADIUS * resolution
    ys, xs = np.mgrid[0:height, 0:width]
    near = (xs + 0.5 - centre[0]) ** 2 + (ys + 0.5 - centre[1]) ** 2 <= radius**2
    return image[near][:, :3]


def _circle_distance(hues: np.ndarray, hue: float) -> np.ndarray:
    """hue_distance of each of `hues` to one hue."""
    d = np.abs(hues - hue) % 1.0
    return np.asarray(np.minimum(d, 1.0 - d))


def disagreements(image: np.ndarray, row: np.ndarray, centre: np.ndarray, view: str,
                  spec: LookSpec) -> dict[str, str]:
    """Which looks of `image` disagree with its view's latent `row`, each with what was seen."""
    found = {}
    ground = None
    if spec.ground_column is not None:
        seen = dominant_hue_of(image)
        ground = expected_hue(row[spec.ground_column], GROUND_SATURATION, spec.hue_mapping)
        if not hue_distance(seen, ground) <= GROUND_HUE_TOLERANCE:
            found["ground"] = f"ground hue {seen:.3f} vs {ground:.3f}"
    patch = _patch(image, centre, spec.resolution)
    if spec.object_column is not None:
        hues = pixel_hues(srgb_to_linear(patch), OBJECT_SATURATION_MIN, LIT)
        want = expected_hue(row[spec.object_column], OBJECT_SATURATION, spec.hue_mapping)
        if ground is not None and hue_distance(want, ground) > OBJECT_HUE_TOLERANCE:
            hues = hues[_circle_distance(hues, ground) > GROUND_HUE_TOLERANCE]  # not the object
        if hues.size >= max(MIN_PIXELS, OBJECT_SHARE_MIN * len(patch)):
            seen = circular_mean_hue(hues)
            if hue_distance(seen, want) > OBJECT_HUE_TOLERANCE:
                found["object"] = f"object hue {seen:.3f} vs {want:.3f}"
    if view in spec.metal_views:
        lit = patch.max(axis=1) > METAL_LIT_LEVEL
        if lit.sum() >= MIN_PIXELS:
            share = float(np.mean(patch[lit].min(axis=1) <= METAL_ZERO_LEVEL))
            if share < METAL_MIN_SHARE:
                found["metal"] = f"{share:.0%} metal-like pixels"
    return found


def look_checks(spec: LookSpec, off: dict[str, list[str]], n_image_views: int,
                prefix: str = "") -> list[Check]:
    """One check per look that applies to the dataset, failing with the images `off` lists
    for it (look -> 'where: what was seen'); `prefix` names the split of an export."""
    each = "both views" if n_image_views == 2 else f"all {n_image_views} views"
    looks = [("ground", spec.ground_column is not None,
              f"sampled images of {each} show the ground hue their own latents say",
              f"within {GROUND_HUE_TOLERANCE}"),
             ("object", spec.object_column is not None,
              f"sampled images of {each} show the object's hue at its projected centre",
              f"within {OBJECT_HUE_TOLERANCE} where the object is lit"),
             ("metal", bool(spec.metal_views),
              f"sampled {'/'.join(spec.metal_views)} images show a MyMetal object",
              "the other view's material is told apart")]
    return [Check(prefix + name, not off.get(look), "; ".join(off.get(look, [])[:3]) or fine)
            for look, applies, name, fine in looks if applies]
