"""A Multimodal3DIdent dataset in the original's file layout (reference multimodal3dident.md,
"Files of a split"), so its published loader reads it unchanged:

  latents_image.csv   the image's latents: its column names, integers and values in [0, 1]
  latents_text.csv    the text's: shape, places, z, the colour's name and index, the phrasing
  images/NNN.png      the image view's images, numbered from 0 in ceil(log10(n)) digits
  text/text_raw.txt   one sentence per line, in sample order (no newline after the last)

Images are hard links to the dataset's own where the file system allows, copies elsewhere.
"""

from __future__ import annotations

import csv
import errno
import io
import math
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ...errors import DatasetError
from ...model.colour_names import all_names
from ...sampling.multimodal import TEXT_COLUMNS, original_image_latents
from ...sampling.text import word_columns
from ...settings.kinds import kind_of
from ...settings.multimodal import KIND
from ...settings.views import image_views, text_views, views_of
from ..files.layout import (
    MANIFEST,
    RAW_LATENTS_NPY,
    SENTENCES,
    WORDS_NPY,
    factors_dir,
    image_path,
    samples_dir,
)
from ..files.manifest import file_sha256, pair_settings_from_manifest, read_manifest

NEEDED_WORDS = ("shape", "colour", "position")  # what latents_text.csv records
WRITE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS})  # the target's


@dataclass(frozen=True)
class MultimodalExport:
    """One dataset's files, checked and ready to write: the image view's images, latents in the
    original's columns, and the text view's sentences."""

    images: list[Path]
    image_latents: dict[str, np.ndarray]
    text_latents: dict[str, np.ndarray]
    sentences: list[str]


def _checked_file(root: Path, key: str, path: Path, manifest: dict[str, Any]) -> Path:
    """`path`, if it is there and holds what the manifest's checksum says."""
    expected = manifest["latents"]["sha256"].get(key)
    if not path.exists() or file_sha256(path) != expected:
        raise DatasetError(f"{path} is missing or does not match {root / MANIFEST}: run "
                           f"python -m identbox validate {root}")
    return path


def prepare_multimodal(root: Path) -> MultimodalExport:
    """Read and check a Multimodal3DIdent dataset (DatasetError, naming what is wrong, for any
    other dataset, one without an image and a text view, or one not rendered yet)."""
    manifest = read_manifest(root / MANIFEST)
    settings = pair_settings_from_manifest(manifest)
    kind = kind_of(settings)
    if kind.name != KIND:
        raise DatasetError(f"{root} holds a {kind.label} dataset; the multimodal3dident format "
                           f"exports Multimodal3DIdent datasets (render --preset {KIND})")
    images, texts = image_views(settings), text_views(settings)
    if not images or not texts:
        raise DatasetError(f"{root} has no {'image' if not images else 'text'} view; the "
                           "multimodal3dident format needs one image view and one text view")
    image, text = images[0], texts[0]
    text_settings = views_of(settings)[text - 1].text
    assert text_settings is not None
    describe = text_settings.describe
    if not set(NEEDED_WORDS) <= set(describe):
        raise DatasetError(f"{root}: its text view describes {', '.join(describe)}; the "
                           "multimodal3dident format needs " + ", ".join(NEEDED_WORDS))
    if settings.render.file_format != "PNG":
        raise DatasetError(f"{root} has {settings.render.file_format} images; the "
                           "multimodal3dident format has PNG images")
    n = settings.n_pairs
    paths = [image_path(root, image, i, settings.render.extension) for i in range(n)]
    missing = [path for path in paths if not path.exists()]
    if missing:
        raise DatasetError(f"{root} has {len(missing)} of its {n} images still to render "
                           f"(first: {missing[0].relative_to(root)}); render it first")
    raw = np.load(_checked_file(root, f"m{image}/{RAW_LATENTS_NPY}",
                                factors_dir(root, f"m{image}") / RAW_LATENTS_NPY, manifest))
    words = np.load(_checked_file(root, f"m{text}/{WORDS_NPY}",
                                  factors_dir(root, f"m{text}") / WORDS_NPY, manifest))
    sentences = _checked_file(root, f"m{text}/{SENTENCES}",
                              samples_dir(root, f"m{text}") / SENTENCES, manifest)
    lines = sentences.read_text(encoding="utf-8").splitlines()
    image_latents = original_image_latents(raw)
    column = {name: k for k, name in enumerate(word_columns(describe))}
    indices = words[:, column["colour_index"]]
    text_latents = {
        "object_shape": words[:, column["shape"]],
        "object_xpos": words[:, column["xpos"]],
        "object_ypos": words[:, column["ypos"]],
        "object_zpos": image_latents["object_zpos"],
        "object_color_name": np.array([all_names()[k] for k in indices], dtype=object),
        "object_color_index": indices,
        "text_phrasing": words[:, column["phrasing"]],
    }
    assert tuple(text_latents) == TEXT_COLUMNS
    return MultimodalExport(paths, image_latents, text_latents, lines)


def _csv_text(columns: dict[str, np.ndarray]) -> str:
    """A header row, then one row per sample: integers as integers, floats as Python writes
    them (read back to the same number), as pandas' to_csv writes the original's."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in zip(*(array.tolist() for array in columns.values()), strict=True):
        writer.writerow([repr(v) if isinstance(v, float) else v for v in row])
    return buffer.getvalue()


def image_name(index: int, n: int) -> str:
    """The original's image name: the index, zero-padded to ceil(log10(n)) digits."""
    return str(index).zfill(math.ceil(math.log10(n)) if n > 1 else 0) + ".png"


def _link_or_copy(source: Path, target: Path) -> None:
    """`source` hard-linked as `target`, or copied; a full disk names `target` (shutil names
    the source)."""
    try:
        os.link(source, target)
    except OSError:  # another file system, or links not allowed there
        try:
            shutil.copyfile(source, target)
        except OSError as error:
            if error.errno not in WRITE_ERRNOS:
                raise
            raise OSError(error.errno, error.strerror, str(target)) from None


def write_multimodal(export: MultimodalExport, out: Path) -> None:
    """Write one split's files into the folder `out` (which exists and is empty)."""
    (out / "latents_image.csv").write_text(_csv_text(export.image_latents), encoding="utf-8")
    (out / "latents_text.csv").write_text(_csv_text(export.text_latents), encoding="utf-8")
    (out / "text").mkdir()
    (out / "text" / "text_raw.txt").write_text("\n".join(export.sentences), encoding="utf-8")
    (out / "images").mkdir()
    n = len(export.images)
    for k, source in enumerate(export.images):
        _link_or_copy(source, out / "images" / image_name(k, n))
