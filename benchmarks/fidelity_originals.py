"""How close IdentBox's Multimodal3DIdent and Temporal Causal3DIdent are to their originals.

The reference renders in tests/data/reference/ (12 images each, drawn by the originals' own image
scripts and assets in Debian's Blender 3.4 on IdentBox's latent rows, with the object's mask) are
drawn again by IdentBox with the same preset, in the bpy wheel and in any Blender given, with the
object's mask beside each image. Per image: mean absolute error (8-bit levels), the error left
after a 4 x 4 box blur (sampling noise alone leaves about 0.3) and the mask's IoU.
Targets: MAE <= 2, blurred MAE <= 0.6, IoU >= 0.9. `--old` draws the scenes as they were before
the teapot kept its published origin and the sequence's ground its height (the control).
Usage: python benchmarks/fidelity_originals.py [--blender PATH ...] [--old] [--figure PNG]
       [--quick]
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
from pathlib import Path
from typing import NamedTuple

import numpy as np

from identbox.dataset.checking.images import load_rgba, mask_iou
from identbox.render.headless import load_package_code, script_command

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO / "tests" / "data" / "reference"
ROWS = 12
QUICK_ROWS = 2


class Original(NamedTuple):
    """One reference folder: its preset's count flag, and where row i's image lies in
    IdentBox's dataset and in the reference."""

    folder: str
    count_flag: str
    image: str
    reference_image: str

    @property
    def root(self) -> Path:
        return REFERENCE / self.folder


ORIGINALS = {
    "multimodal3dident": Original("multimodal3dident-renders", "--n-pairs",
                                  "samples/m1/{i:06d}.png", "images/{i:02d}.png"),
    "temporal_causal3dident_teapot": Original(
        "temporal-causal3dident-renders", "--n-frames", "samples/{i:06d}.png",
        "images/{i:07d}.png"),
}

# The placement before issue 29: every shape centred on its bounding box, the sequence's
# ground at -2.
OLD_PLACEMENT = """\
import identbox.scene.multi as multi, identbox.scene.multimodal as multimodal
import identbox.sampling.pose as pose
centred = multi.shape_mesh
multimodal.shape_mesh = lambda kind, published=False: centred(kind)
pose.SEQUENCE_PLACEMENT = pose.Placement(0.5, 0.0, -2.0)
"""

# Runs inside any Blender (or with the bpy wheel): renders the preset's first rows with the
# command line, then the object's mask of each row into masks/NNNNNN.png, as the reference's.
RENDER_ROWS = """\
import json
from pathlib import Path
argv = sys.argv[sys.argv.index("--") + 1:]
preset, count_flag, rows, out, old = argv
if old == "1":
    exec(OLD_PLACEMENT)
import numpy as np
from identbox.cli import main
status = main(["render", "--preset", preset, count_flag, rows, "--seed", "7", "--out", out])
if status:
    sys.exit(status)
from identbox.dataset.files.manifest import settings_from_manifest
from identbox.render.headless import make_renderer
root = Path(out)
settings = settings_from_manifest(json.loads((root / "manifest.json").read_text()))
renderer = make_renderer(settings, "cpu", lambda line: None)
scene = renderer.scene
# The reference masks' method: the object white, the rest black (an emission-only render at
# 16 samples, the ground hidden), thresholded at 127 by compare().
import bpy
from identbox.scene.masks import white_material
scene.view_layers[0].material_override = white_material()
renderer.ground.hide_render = True
scene.cycles.samples = 16
masks = root / "masks"
masks.mkdir()
pairs = count_flag == "--n-pairs"
latents = np.load(root / "factors" / ("m1" if pairs else "") / "latents.npy")
for i in range(int(rows)):
    renderer.show(latents[i], 1) if pairs else renderer.show(latents[i])
    scene.render.filepath = str(masks / f"{i:06d}.png")
    bpy.ops.render.render(write_still=True, scene=scene.name)
"""


def render_rows(preset: str, out: Path, blender: str | None = None, rows: int = ROWS,
                old: bool = False) -> None:
    """Draw the reference rows of one preset with IdentBox into `out` (a dataset folder, with
    masks/), in the bpy wheel of this Python or in the given Blender executable."""
    original = ORIGINALS[preset]
    code = (load_package_code() + f"OLD_PLACEMENT = {OLD_PLACEMENT!r}\n" + RENDER_ROWS)
    args = [str(original.root / "preset.json"), original.count_flag, str(rows), str(out),
            "1" if old else "0"]
    done = subprocess.run(script_command(code, args, blender), capture_output=True, text=True,
                          timeout=900)
    if done.returncode != 0:
        raise RuntimeError(f"rendering {preset}'s reference rows failed:\n{done.stdout[-3000:]}"
                           f"\n{done.stderr[-3000:]}")


def box_blur(image: np.ndarray, size: int = 4) -> np.ndarray:
    """Means of size x size blocks of the RGB channels: sampling noise averages out, a
    misplaced object or ground stays."""
    height, width = (n - n % size for n in image.shape[:2])
    rgb = image[:height, :width, :3].astype(np.float64)
    return rgb.reshape(height // size, size, width // size, size, 3).mean(axis=(1, 3))


def compare(preset: str, out: Path, rows: int = ROWS) -> list[dict[str, float]]:
    """Per row: MAE (8-bit levels), MAE after a 4 x 4 box blur, and the object mask's IoU
    against the original's (both masks thresholded at 127)."""
    original = ORIGINALS[preset]
    found = []
    for i in range(rows):
        ours = load_rgba(out / original.image.format(i=i))[..., :3].astype(np.float64)
        theirs = load_rgba(original.root / original.reference_image.format(i=i))[..., :3]
        our_mask = load_rgba(out / "masks" / f"{i:06d}.png")[..., 0] > 127
        their_mask = load_rgba(original.root / "masks" / Path(
            original.reference_image.format(i=i)).name)[..., 0] > 127
        found.append({"row": i, "mae": float(np.abs(ours - theirs).mean()),
                      "blurred_mae": float(np.abs(box_blur(ours) - box_blur(theirs)).mean()),
                      "iou": mask_iou(our_mask, their_mask)})
    return found


def summary(rows: list[dict[str, float]]) -> dict[str, float]:
    """Mean and worst MAE, mean and worst blurred MAE, and the lowest IoU."""
    return {"mae": float(np.mean([r["mae"] for r in rows])),
            "worst_mae": float(max(r["mae"] for r in rows)),
            "blurred_mae": float(np.mean([r["blurred_mae"] for r in rows])),
            "worst_blurred": float(max(r["blurred_mae"] for r in rows)),
            "min_iou": float(min(r["iou"] for r in rows))}


def figure(outs: dict[str, Path], path: Path, columns: int = 6) -> None:
    """Per preset two rows: the original's images, then IdentBox's (the same latent rows),
    each shown at 96 px."""
    from PIL import Image, ImageDraw

    size, margin = 96, 180
    sheet = Image.new("RGB", (margin + columns * size, 2 * len(outs) * size), "white")
    draw = ImageDraw.Draw(sheet)
    for p, (preset, out) in enumerate(outs.items()):
        original = ORIGINALS[preset]
        for r, (root, pattern, who) in enumerate(((original.root, original.reference_image,
                                                   "original"),
                                                  (out, original.image, "IdentBox"))):
            top = (2 * p + r) * size
            for i in range(columns):
                with Image.open(root / pattern.format(i=i)) as image:
                    shown = image.convert("RGB").resize((size, size), Image.Resampling.LANCZOS)
                    sheet.paste(shown, (margin + i * size, top))
            draw.text((6, top + size // 2 - 14), f"{who}\n{preset}", fill="black")
    sheet.save(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--blender", action="append", default=[],
                        help="also render in this Blender executable (e.g. /usr/bin/blender)")
    parser.add_argument("--old", action="store_true",
                        help="the placement before issue 29 (the control)")
    parser.add_argument("--figure", type=Path, help="write the side-by-side figure here")
    parser.add_argument("--quick", action="store_true",
                        help=f"{QUICK_ROWS} rows per preset: seconds (what the tests run)")
    args = parser.parse_args()
    rows = QUICK_ROWS if args.quick else ROWS
    print(f"{'preset':<30} {'Blender':<18} {'MAE /255':>9} {'worst':>6} {'4x4 MAE':>8} "
          f"{'worst':>6} {'min IoU':>8}")
    with tempfile.TemporaryDirectory() as tmp:
        drawn: dict[str, Path] = {}
        for preset in ORIGINALS:
            for blender in (None, *args.blender):
                out = Path(tmp) / f"{preset}-{len(drawn)}-{blender is None}"
                render_rows(preset, out, blender, rows, args.old)
                s = summary(compare(preset, out, rows))
                name = "bpy wheel" if blender is None else Path(blender).name
                print(f"{preset:<30} {name:<18} {s['mae']:>9.2f} {s['worst_mae']:>6.2f} "
                      f"{s['blurred_mae']:>8.2f} {s['worst_blurred']:>6.2f} "
                      f"{s['min_iou']:>8.3f}")
                if blender is None:
                    drawn[preset] = out
        if args.figure:
            figure(drawn, args.figure, min(6, rows))
            print(f"wrote {args.figure}")


if __name__ == "__main__":
    main()
