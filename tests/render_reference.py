"""Reference renders kept in the repository, compared as decoded pixels with a tolerance.

Rendered bytes are not portable: Cycles on another CPU (AVX-512, another compiler path) traces
some paths a last bit differently, so the same scene, seed and settings give other PNG bytes.
What is portable is the picture. Each image here is compared with its stored reference by the
mean absolute error of its pixels and of its 4 x 4 block means (sampling noise averages out of
the block means, a real change stays), each mask by the share of pixels that differ, and each
depth map by its mean absolute difference in metres. The tolerances sit above what a render
with another Cycles seed gives (the renderer's own noise, which another machine's last-bit
differences cannot exceed) and below what a real change gives (tests/test_k_views.py shows
both). `tests/data/make_renders.py` draws the references again, on purpose only.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
from conftest import REPO
from PIL import Image

from identbox.model.constants import DEPTH_RANGE
from identbox.presets import PRESET_DIR

REFERENCE = REPO / "tests" / "data" / "renders"
# Both renderers (pairs and objects), with masks and depth maps (at 32 px objects cover few
# pixels, so the objects preset accepts any size).
PRESETS = {"hues_positions_rotations": {}, "objects_content_2": {"min_pixels": 1}}
ARGS = ("--n-pairs", "2", "--resolution", "32", "--samples", "16", "--seed", "3")
FOLDERS = ("samples", "masks", "depth")

# Measured with tests/data/make_renders.py (another Cycles seed against the reference, 8 images
# of 32 px at 16 samples): MAE up to 5.3 / 255 and block-mean MAE up to 1.04 / 255 from sampling
# noise alone; masks and depth maps did not change. The limits leave room for that noise; the
# control (legacy hues instead of wrapped ones) gives block-mean MAEs of 4.5 and 14.8.
MAX_MAE = 8.0
MAX_BLOCK_MAE = 2.0
MAX_MASK_SHARE = 0.02  # of a mask's pixels may differ (a last-bit change at an edge)
MAX_DEPTH_ERROR = 0.05  # metres, mean over the image

# Sets another Cycles seed before every render, then runs the command line: the renderer's own
# noise, as another machine's floating-point differences would give it at most. It leaves with
# os._exit: with a Python handler still registered, the bpy wheel hangs in its exit.
RESEEDED = """\
import os
import sys
import bpy
SEED = int(sys.argv[1])
def reseed(scene, *args):
    scene.cycles.seed = SEED
bpy.app.handlers.render_pre.append(reseed)
from identbox.cli import main
status = main(sys.argv[2:])
sys.stdout.flush()
sys.stderr.flush()
os._exit(status)
"""


def preset_file(folder: Path, name: str, **changes: object) -> Path:
    """A copy of a bundled preset with masks, depth maps and the given changes."""
    preset = json.loads((PRESET_DIR / f"{name}.json").read_text(encoding="utf-8"))
    path = folder / f"{name}.json"
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({**preset, **PRESETS[name], "masks": True, "depth": True,
                                **changes}))
    return path


def render(folder: Path, name: str, cycles_seed: int | None = None, **changes: object) -> Path:
    """Render the reference rows of `name` into folder/name through the command line."""
    preset = preset_file(folder, name, **changes)
    command = ["render", "--preset", str(preset), *ARGS, "--out", name]
    if cycles_seed is None:
        argv = [sys.executable, "-m", "identbox", *command]
    else:
        argv = [sys.executable, "-c", RESEEDED, str(cycles_seed), *command]
    done = subprocess.run(argv, cwd=folder, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
    return folder / name


def images(root: Path) -> list[Path]:
    """The rendered files under root, relative to it, in a fixed order."""
    return sorted(p.relative_to(root) for folder in FOLDERS
                  for p in (root / folder).rglob("*.png"))


def block_means(rgb: np.ndarray, size: int = 4) -> np.ndarray:
    h = rgb.shape[0] // size * size
    return rgb[:h, :h].reshape(h // size, size, h // size, size, -1).mean(axis=(1, 3))


def _pixels(path: Path) -> np.ndarray:
    with Image.open(path) as image:
        return np.asarray(image).astype(np.float64)


def difference(ours: Path, theirs: Path) -> dict[str, float]:
    """How far one rendered file is from its reference, by what kind of file it is."""
    a, b = _pixels(ours), _pixels(theirs)
    assert a.shape == b.shape, f"{ours.name}: {a.shape} vs {b.shape}"
    kind = ours.parent.parent.name
    if kind == "masks":
        return {"mask_share": float(np.mean((a > 127) != (b > 127)))}
    if kind == "depth":
        return {"depth_error": float(np.mean(np.abs(a - b))) / 65535 * DEPTH_RANGE}
    rgb_a, rgb_b = a[..., :3], b[..., :3]
    return {"mae": float(np.mean(np.abs(rgb_a - rgb_b))),
            "block_mae": float(np.mean(np.abs(block_means(rgb_a) - block_means(rgb_b))))}


def compare(root: Path, reference: Path) -> dict[str, dict[str, float]]:
    """Every file's difference from the reference; the two must hold the same files."""
    names = images(reference)
    assert names, f"no reference images under {reference}"
    assert images(root) == names, f"{root} holds other files than {reference}"
    return {str(name): difference(root / name, reference / name) for name in names}


def failures(differences: dict[str, dict[str, float]]) -> list[str]:
    """The files beyond the tolerances, each with the figure that failed."""
    limits = {"mae": MAX_MAE, "block_mae": MAX_BLOCK_MAE, "mask_share": MAX_MASK_SHARE,
              "depth_error": MAX_DEPTH_ERROR}
    return [f"{name}: {what} {value:.3f} > {limits[what]}"
            for name, row in differences.items() for what, value in row.items()
            if value > limits[what]]


def store(root: Path, destination: Path) -> None:
    """Keep the rendered files of root as the reference (make_renders.py)."""
    shutil.rmtree(destination, ignore_errors=True)
    for name in images(root):
        (destination / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(root / name, destination / name)
