"""Check a sequence dataset: files against the manifest, the latents against their settings
(re-sampled) and against their mechanisms (each step from the stored previous frame and
noise), every image whole, a sample of each part's images against its own row, nothing
stray in the layout."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from ...model.camera import project_to_pixels
from ...model.shapes import largest_dimension
from ...sampling.mechanisms import Interventions
from ...sampling.sequences import first_frame, step
from ...settings.sequence import SequenceSettings
from ..files.layout import CONTACT_SHEET, LATENT_PLOT, MANIFEST, is_complete_image
from ..files.manifest import file_sha256, read_manifest
from ..writing.sequence_writer import (
    IMAGES,
    INDEPENDENT_IMAGES,
    INTERVENTIONS,
    LATENTS,
    NOISE,
    SEQUENCE_FORMAT,
    SOURCES_MASK,
    TRIPLET_IMAGES,
    TRIPLET_LATENTS,
    TRIPLETS,
    item_latents,
    item_path,
    sequence_arrays,
    sequence_files,
)
from .checks import Check
from .images import decoded
from .strays import ANYTHING, SLURM, find_layout_strays, listed
from .view_look import GROUND_HUE_TOLERANCE, OBJECT_HUE_TOLERANCE, LookSpec, disagreements

MECHANISM_TOLERANCE = 1e-9  # the same arithmetic; room only for a machine's last bits


def check_mechanisms(settings: SequenceSettings, latents: np.ndarray, targets: np.ndarray,
                     noise: np.ndarray) -> list[Check]:
    """Each episode's first frame is its noise's uniform draw, and at each later step every
    variable that is not a target follows its mechanism from the stored previous frame and
    this step's noise (targets keep their stored values)."""
    model = settings.causal_model()
    shape = (settings.n_episodes, settings.n_frames, len(model.variables))
    values, mask, u = latents.reshape(shape), targets.reshape(shape) == 1, noise.reshape(shape)
    first_error = np.abs(first_frame(model, u[:, 0]) - values[:, 0])
    checks = [Check("each episode's first frame is drawn from its noise",
                    bool(first_error.max() <= MECHANISM_TOLERANCE),
                    f"largest deviation {first_error.max():.2e}")]
    if settings.n_frames == 1:
        return checks
    at_step = Interventions(mask[:, 1:], np.where(mask[:, 1:], values[:, 1:], 0.0))
    expected = step(model, values[:, :-1], u[:, 1:], at_step, settings.instantaneous)
    error = np.where(mask[:, 1:], 0.0, np.abs(expected - values[:, 1:]))
    bad = np.flatnonzero(error.max(axis=-1).reshape(-1) > MECHANISM_TOLERANCE)
    steps = settings.n_frames - 1  # frame e * n_frames + t + 1 is step k = e * steps + t
    frames = [f"frame {(k // steps) * settings.n_frames + k % steps + 1}" for k in bad]
    checks.append(Check("variables that are not targets follow their mechanisms given the "
                        "stored noise", not frames,
                        listed(frames, f"largest deviation {error.max():.2e}")))
    return checks


def check_triplets(settings: SequenceSettings, stored: dict[str, np.ndarray]) -> Check:
    """Each triplet's sources are two different frames, its mask takes something from each
    and moves a group's variables together, and its third frame is the mix the mask says."""
    sources, mask = stored[TRIPLETS], stored[SOURCES_MASK] == 1
    model = settings.causal_model()
    grouped = np.stack([mask[:, model.index(group[0])] for group in model.groups], axis=-1)
    frames = stored[LATENTS]
    bad = []
    for k in range(len(sources)):
        i, j = (int(s) for s in sources[k])
        spread = np.zeros(len(model.variables), dtype=bool)
        for g, group in enumerate(model.groups):
            spread[[model.index(name) for name in group]] = grouped[k, g]
        if not (0 <= i < len(frames) and 0 <= j < len(frames)) or i == j \
                or grouped[k].all() or not grouped[k].any() \
                or not np.array_equal(spread, mask[k]) \
                or not np.array_equal(np.where(spread, frames[j], frames[i]),
                                      stored[TRIPLET_LATENTS][k]):
            bad.append(f"triplet {k}")
    return Check("each triplet's third frame takes each group from frame i or j as its mask "
                 "says (something from each)", not bad,
                 listed(bad, f"{len(sources)} triplets"))


def frame_centres(settings: SequenceSettings, latents: np.ndarray) -> np.ndarray:
    """(rows, 2): where each frame's object centre lands in the image, in pixels; NaN for a
    shape file's frames (its size is known only to Blender). The object stands at
    (x, y, z + d / 2), d its shape's largest side (scene/sequence.py)."""
    model = settings.causal_model()
    sizes = np.array([largest_dimension(kind) or np.nan for kind in settings.object_types])
    shapes = latents[:, model.index("shape")].astype(int)
    centres = latents[:, [model.index(n) for n in ("pos_x", "pos_y", "pos_z")]].copy()
    centres[:, 2] += sizes[np.clip(shapes, 0, len(sizes) - 1)] / 2
    known = np.isfinite(centres).all(axis=1)
    pixels = np.full((len(latents), 2), np.nan)
    pixels[known] = project_to_pixels(centres[known], settings.render.resolution)
    return pixels


def _chosen_items(settings: SequenceSettings, sample: int) -> np.ndarray:
    """Up to `sample` images of each part (frames, independent frames, triplets), as the
    render loop's indices."""
    rng = np.random.default_rng(0)
    chosen, start = [], 0
    for count in (settings.frames, settings.n_independent, settings.n_triplets):
        chosen.append(start + np.sort(rng.choice(count, size=min(sample, count),
                                                 replace=False)))
        start += count
    return np.concatenate(chosen)


def check_images(root: Path, settings: SequenceSettings, stored: dict[str, np.ndarray],
                 sample: int) -> list[Check]:
    """Decode a sample of every part's images: each must be whole, of the resolution, and show
    the ground hue its own hue_back says and the object's hue its own hue_object says at its
    projected centre (the pairs' looks and tolerances, view_look.py)."""
    chosen = _chosen_items(settings, sample)
    model = settings.causal_model()
    latents = item_latents(stored)
    centres = frame_centres(settings, latents)
    spec = LookSpec(model.index("hue_back"), model.index("hue_object"),
                    settings.scene.hue_mapping, (), settings.render.resolution)
    ground_only = replace(spec, object_column=None)
    size = settings.render.resolution
    undecodable: list[str] = []
    off: dict[str, list[str]] = {"ground": [], "object": []}
    for index in chosen:
        path = item_path(root, settings, int(index))
        if not path.exists():
            continue
        image, _, problem = decoded(path, size)
        if image is None:
            undecodable.append(problem)
            continue
        known = bool(np.isfinite(centres[index]).all())
        found = disagreements(image, latents[index], centres[index] if known else np.zeros(2),
                              "m1", spec if known else ground_only)
        name = str(path.relative_to(root))
        for look, detail in found.items():
            off[look].append(f"{name}: {detail}")
    return [Check(f"{len(chosen)} sampled images of {_parts(settings)} decode at "
                  f"{size} x {size}", not undecodable, listed(undecodable, "all do")),
            Check("sampled images show the ground hue their own hue_back says",
                  not off["ground"], listed(off["ground"], f"within {GROUND_HUE_TOLERANCE}")),
            Check("sampled images show the object's hue their own hue_object says at its "
                  "projected centre", not off["object"],
                  listed(off["object"], f"within {OBJECT_HUE_TOLERANCE} where the object is lit"))]


def _parts(settings: SequenceSettings) -> str:
    """'12 frames', or '12 frames, 2 independent frames and 3 triplets'."""
    parts = [f"{n} {what}" for n, what in ((settings.frames, "frames"),
                                           (settings.n_independent, "independent frames"),
                                           (settings.n_triplets, "triplets")) if n]
    return ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]


def _strays(root: Path, settings: SequenceSettings) -> list[Check]:
    extension = settings.render.extension
    allowed: dict[str, object] = {
        MANIFEST: None, CONTACT_SHEET: None, LATENT_PLOT: None, SLURM: ANYTHING,
        "factors": dict.fromkeys(Path(name).name for name in sequence_files(settings)),
        IMAGES: extension}
    if settings.n_independent:
        allowed[INDEPENDENT_IMAGES] = (extension, settings.n_independent)
    if settings.n_triplets:
        allowed[TRIPLET_IMAGES] = (extension, settings.n_triplets)
    found = find_layout_strays(root, allowed, settings.frames)
    return found.checks(_parts(settings))


def validate_sequence(root: Path | str, sample: int = 32) -> list[Check]:
    """All checks of a sequence dataset; `sample` frames are decoded and their ground hue
    compared with their latents (every image is looked at whole)."""
    root = Path(root)
    manifest = read_manifest(root / MANIFEST, SEQUENCE_FORMAT)
    settings = SequenceSettings.from_dict(manifest["settings"])
    checks = [Check("manifest describes a valid Sequence dataset", True,
                    f"{settings.name}: {settings.n_episodes} x {settings.n_frames} frames, "
                    f"seed {settings.seed}")]
    expected = manifest.get("sha256") or {}
    names = sequence_files(settings)
    for name in names:
        ok = (root / name).exists() and file_sha256(root / name) == expected.get(name)
        checks.append(Check(f"{name} matches the manifest", ok,
                            "SHA-256 equal" if ok else "missing or changed"))
    stored = {name: np.load(root / name) for name in names if (root / name).exists()}
    shapes_ok = False
    if len(stored) == len(names):
        again = sequence_arrays(settings)
        shapes_ok = all(stored[n].shape == a.shape and stored[n].dtype == a.dtype
                        for n, a in again.items())
        checks.append(Check("factor files are (frames, variables)", shapes_ok,
                            f"{stored[LATENTS].shape}, expected {again[LATENTS].shape}"))
        if shapes_ok:
            differ = [n for n, a in again.items() if not np.array_equal(stored[n], a)]
            checks.append(Check("re-sampling the settings gives the stored latents, "
                                "interventions and noise", not differ,
                                "differ: " + ", ".join(differ) if differ else "equal"))
            checks += check_mechanisms(settings, stored[LATENTS], stored[INTERVENTIONS],
                                       stored[NOISE])
            if settings.n_triplets:
                checks.append(check_triplets(settings, stored))
    missing = [str(item_path(root, settings, index).relative_to(root))
               for index in range(settings.items)
               if not is_complete_image(item_path(root, settings, index))]
    checks.append(Check(f"{settings.items} complete images", not missing,
                        f"{len(missing)} missing or incomplete" + (
                            f", first {missing[0]}" if missing else "")))
    if shapes_ok and sample > 0:
        checks += check_images(root, settings, stored, sample)
    return checks + _strays(root, settings)
