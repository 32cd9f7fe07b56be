"""Check a pair dataset: manifest, latent files, block rules, images, stray files, and a sample
of image/latent agreement for every view. Fast: file checks read a few bytes per image and list
folders; decoding is sampled."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from ...settings.kinds import kind_of
from ...settings.objects import sample_pairs
from ...settings.rig import moves_camera
from ...settings.views import image_views, text_views
from ..files.layout import (
    LATENTS_NPY,
    MANIFEST,
    OBJECT_PIXELS_NPY,
    PASS_FOLDERS,
    RAW_LATENTS_NPY,
    SENTENCES,
    WORDS_NPY,
    factors_dir,
    is_complete_image,
    latent_paths,
    manifest_latent_files,
    manifest_views,
    pair_passes,
    pass_file_name,
    pass_folder,
    samples_dir,
    settings_latent_files,
    view_numbers,
)
from ..files.manifest import file_sha256, pair_settings_from_manifest, read_manifest
from ..writing.writer import camera_arrays, object_pixels, text_of
from .checks import Check
from .images import decoded
from .intervention_checks import intervention_checks
from .strays import find_strays
from .view_look import disagreements, look_checks, look_spec


def _check_latents(root: Path, manifest: dict[str, Any], settings: Any) -> list[Check]:
    checks = []
    expected = manifest["latents"]["sha256"]
    views = view_numbers(manifest_views(manifest))
    for key, path in latent_paths(root, manifest_latent_files(manifest)).items():
        ok = path.exists() and file_sha256(path) == expected.get(key)
        checks.append(Check(f"factors/{key} matches the manifest", ok,
                            "SHA-256 equal" if ok else "missing or changed"))
    if not all(c.ok for c in checks):
        return checks
    n, width = settings.n_pairs, len(manifest["columns"])
    raw = {v: np.load(factors_dir(root, f"m{v}") / RAW_LATENTS_NPY) for v in views}
    blender = {v: np.load(factors_dir(root, f"m{v}") / LATENTS_NPY) for v in views}
    shapes_ok = all(a.shape == (n, width) and a.dtype == np.float64
                    for a in (*raw.values(), *blender.values()))
    checks.append(Check("latents are (pairs, columns) float64", shapes_ok,
                        f"{raw[1].shape} {raw[1].dtype}, expected ({n}, {width}) float64"))
    if not shapes_ok:
        return checks
    types = [k for k, c in enumerate(manifest["columns"]) if c["name"].endswith("_type")]
    numeric = [k for k in range(width) if k not in types]
    in_box = all(np.abs(raw[v][:, numeric]).max(initial=0) <= 1.0 for v in views)
    checks.append(Check("raw latents lie in [-1, 1]", in_box, "type columns aside"))
    scales = np.array([c["blender_scale"] for c in manifest["columns"]])
    units = all(np.allclose(blender[v], raw[v] * scales) for v in views)
    checks.append(Check("latents.npy = blender_scale x raw_latents.npy", units,
                        f"every view's {n} x {width} values" if units
                        else "they differ: the two files do not belong together"))
    checks.append(_block_rules(manifest, raw))
    if settings.intervention is not None:
        checks += intervention_checks(root, settings, raw)
    again = sample_pairs(settings)
    same = again.n_views == len(views) and all(np.array_equal(again.raw(v), raw[v])
                                               for v in views)
    checks.append(Check("the manifest's settings and seed give these latents again", same,
                        "re-sampled and compared bit for bit"))
    checks += _geometry(root, settings, blender)
    return checks


def _geometry(root: Path, settings: Any, blender: dict[int, np.ndarray]) -> list[Check]:
    """Each view's object pixels (and camera matrices, where the camera moves) are what its
    own latents give through its own camera."""
    wrong = []
    for view, latents in blender.items():
        folder = factors_dir(root, f"m{view}")
        expected = {OBJECT_PIXELS_NPY: object_pixels(settings, latents),
                    **camera_arrays(settings, latents)}
        wrong += [f"m{view}/{name}" for name, array in expected.items()
                  if not np.allclose(np.load(folder / name), array, rtol=0, atol=1e-6)]
    what = "object pixels" + (" and camera matrices" if moves_camera(settings) else "")
    checks = [Check(f"{what} follow each view's latents and camera", not wrong,
                    ", ".join(wrong[:3]) or "recomputed and compared")]
    texts = text_views(settings)
    if texts:
        wrong = []
        for view in texts:
            folder = factors_dir(root, f"m{view}")
            again = text_of(settings, blender[view], view)
            stored = (samples_dir(root, f"m{view}") / SENTENCES).read_text(encoding="utf-8")
            if stored.splitlines() != again.lines:
                wrong.append(f"m{view}/{SENTENCES}")
            if not np.array_equal(np.load(folder / WORDS_NPY), again.values):
                wrong.append(f"m{view}/{WORDS_NPY}")
        checks.append(Check("each text view's sentences and words follow its latents", not wrong,
                            ", ".join(wrong[:3]) or "written again and compared word by word"))
    return checks


def _block_rules(manifest: dict[str, Any], raw: dict[int, np.ndarray]) -> Check:
    """Content equal across views; zeros where the view-specific rules say zero: view 1
    against each other view."""
    rules = {"content": lambda one, two: np.array_equal(one, two),
             "m1": lambda one, two: not two.any(),
             "m2": lambda one, two: not one.any() and not two.any(),
             "m3": lambda one, two: not one.any(),
             "constant": lambda one, two: not one.any() and not two.any(),
             # modalities of one scene: every view holds its latents
             "shared": lambda one, two: np.array_equal(one, two),
             "modality_specific": lambda one, two: np.array_equal(one, two)}
    bad = []
    for k, column in enumerate(manifest["columns"]):
        role = column["role"]
        if role in rules and not all(rules[role](raw[1][:, k], raw[v][:, k])
                                     for v in list(raw)[1:]):
            bad.append(f"{column['name']} ({role})")
    return Check("block rules: content equal, view-specific zeros", not bad,
                 ", ".join(bad[:5]) or "all columns follow their role")


def _images(root: Path, manifest: dict[str, Any], settings: Any, sample: int) -> list[Check]:
    checks = []
    extension = settings.render.extension
    views = image_views(settings)
    for kind, view in ((k, v) for k in pair_passes(settings) for v in views):
        folder = pass_folder(root, kind, view)
        wanted = [pass_file_name(kind, i, extension) for i in range(settings.n_pairs)]
        present = set(os.listdir(folder)) if folder.is_dir() else set()
        missing = [n for n in wanted if n not in present]
        broken = [n for n in wanted if n in present and not is_complete_image(folder / n)]
        checks.append(Check(f"{folder.relative_to(root)}: {len(wanted)} complete images",
                            not missing and not broken,
                            f"{len(missing)} missing, {len(broken)} incomplete"
                            + (f" (first: {(missing + broken)[0]})" if missing or broken else "")))
    return checks + _decoded(root, manifest, settings, sample)


def _decoded(root: Path, manifest: dict[str, Any], settings: Any, sample: int) -> list[Check]:
    """Decode a sample of pairs; each view's image must show its own view's latents."""
    rng = np.random.default_rng(0)
    chosen = np.sort(rng.choice(settings.n_pairs, size=min(sample, settings.n_pairs),
                                replace=False))
    extension, size = settings.render.extension, settings.render.resolution
    views = [f"m{view}" for view in image_views(settings)]
    spec = look_spec(manifest["columns"], settings)
    latents = {view: np.load(factors_dir(root, view) / LATENTS_NPY, mmap_mode="r")
               for view in views}
    pixels = {view: np.load(factors_dir(root, view) / OBJECT_PIXELS_NPY, mmap_mode="r")
              for view in views}
    undecodable: list[str] = []
    wrong_size: list[str] = []
    off: dict[str, list[str]] = {"ground": [], "object": [], "metal": []}
    for index in chosen:
        for view in views:
            path = samples_dir(root, view) / f"{index:06d}{extension}"
            if not path.exists():
                continue
            image, decodes, problem = decoded(path, size)
            if image is None:
                (wrong_size if decodes else undecodable).append(problem)
                continue
            found = disagreements(image, np.asarray(latents[view][index]),
                                  np.asarray(pixels[view][index, 0]), view, spec)
            for look, detail in found.items():
                off[look].append(f"{view}/{path.name}: {detail}")
    checks = [Check(f"{len(chosen)} sampled pairs decode", not undecodable,
                    ", ".join(undecodable[:3]) or "all decode"),
              Check(f"sampled images are {size} x {size}", not wrong_size,
                    ", ".join(wrong_size[:3]) or "all match")]
    return checks + look_checks(spec, off, len(views))


def _strays(root: Path, settings: Any) -> list[Check]:
    """Leftover temporary files, images beyond the pairs and unknown files are reported."""
    passes = tuple(PASS_FOLDERS[kind] for kind in pair_passes(settings)[1:])
    found = find_strays(root, settings.n_pairs, settings.render.extension, passes,
                        settings_latent_files(settings),
                        tuple(f"m{view}" for view in image_views(settings)))

    return found.checks(f"{settings.n_pairs} pairs")


def validate_pairs(root: Path | str, sample: int = 32) -> list[Check]:
    """All checks of a dataset of image pairs (Pairs, Objects, or any kind with their layout)."""
    root = Path(root)
    manifest = read_manifest(root / MANIFEST)
    settings = pair_settings_from_manifest(manifest)
    kind = kind_of(settings).label
    checks = [Check(f"manifest describes a valid {kind} dataset", True,
                    f"{settings.name}: {settings.n_pairs} pairs, seed {settings.seed}")]
    checks += _check_latents(root, manifest, settings)
    return checks + _images(root, manifest, settings, sample) + _strays(root, settings)
