"""How close IdentBox's images are to the original 3DIdentBox generator's, on the same latents.

Renders the latent rows of `tests/data/reference/published-renders/` (eight pairs drawn by
the original assets in Blender 3.4, with teapot masks) with IdentBox at the same settings (128 px,
64 samples, no denoising, legacy hues), in the bpy wheel and in Debian's Blender 3.4, and
prints per Blender the mean absolute error (8-bit levels), PSNR, the error left after a 4 x 4
box blur (sampling noise alone leaves about 0.3) and the teapot-mask IoU against the reference.
Targets: MAE <= 2, PSNR >= 35 dB, IoU >= 0.9.
Usage: python benchmarks/fidelity.py [--pairs N] [--blender PATH ...] [--figure PNG] [--quick]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
from pathlib import Path

import numpy as np

from identbox.dataset.checking.images import image_difference, load_rgba, mask_iou
from identbox.render.headless import load_package_code, script_command

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO / "tests" / "data" / "reference" / "published-renders"
VIEWS = (1, 2)
QUICK_PAIRS = 1

# Runs inside any Blender (or with the bpy wheel): loads this checkout as `identbox` and draws
# the given rows of each view, and the teapot's mask, as the published settings ask.
RENDER_ROWS = load_package_code() + """\
from pathlib import Path
argv = sys.argv[sys.argv.index("--") + 1:]
reference, out, pairs, hue_mapping = argv
import numpy as np
from identbox.settings.render import RenderSettings, SceneSettings
from identbox.scene.renderer import BlenderPairRenderer
from identbox.settings.pairs import DatasetSettings
settings = DatasetSettings(
    scene=SceneSettings(hue_mapping=hue_mapping),
    render=RenderSettings(resolution=128, samples=64, denoiser="none"))
renderer = BlenderPairRenderer(settings, device="cpu")
scene = renderer.handles.scene
import bpy
from identbox.scene.masks import white_material
# The reference masks' method: the teapot white, the rest black (an emission-only render at
# 16 samples, Standard view), thresholded at 127 by compare().
white = white_material()
def render_mask(row, view, path):
    renderer.show(row, view)
    layer = scene.view_layers[0]
    layer.material_override = white
    renderer.handles.ground.hide_render = True
    scene.cycles.samples = 16
    scene.render.filepath = str(path)
    bpy.ops.render.render(write_still=True, scene=scene.name)
    layer.material_override = None
    renderer.handles.ground.hide_render = False
    scene.cycles.samples = 64
for view in (1, 2):
    rows = np.load(Path(reference) / f"latents_m{view}.npy")[: int(pairs)]
    folder = Path(out) / f"m{view}"
    folder.mkdir(parents=True, exist_ok=True)
    for k, row in enumerate(rows):
        renderer.render_view(row, view, folder / f"{k:06d}.png")
        render_mask(row, view, folder / f"mask_{k:06d}.png")
"""


def render_reference_rows(out: Path, blender: str | None = None, pairs: int = 8,
                          hue_mapping: str = "legacy") -> None:
    """Draw the reference rows with IdentBox into out/m1, out/m2 (images and masks), in the
    bpy wheel of this Python, or in the given Blender executable."""
    command = script_command(RENDER_ROWS, [str(REFERENCE), str(out), str(pairs), hue_mapping],
                             blender)
    proc = subprocess.run(command, capture_output=True, text=True, timeout=900)
    if proc.returncode != 0:
        raise RuntimeError(f"rendering the reference rows failed:\n{proc.stdout}\n{proc.stderr}")


def box_blur(image: np.ndarray, size: int = 4) -> np.ndarray:
    """Means of size x size blocks of the RGB channels: sampling noise averages out, a
    systematic difference (a light too bright, a colour off) stays."""
    h = image.shape[0] // size * size
    rgb = image[:h, :h, :3].astype(np.float64)
    return rgb.reshape(h // size, size, h // size, size, 3).mean(axis=(1, 3))


def compare(out: Path, pairs: int = 8) -> list[dict[str, float]]:
    """Per image: view, index, MAE (8-bit levels), PSNR (dB), MAE after a 4 x 4 box blur, and
    the teapot mask's IoU against the reference."""
    rows = []
    for view in VIEWS:
        for k in range(pairs):
            ours = load_rgba(out / f"m{view}" / f"{k:06d}.png")
            theirs = load_rgba(REFERENCE / f"m{view}" / f"{k:06d}.png")
            mae, psnr = image_difference(ours, theirs)
            blurred, _ = image_difference(box_blur(ours), box_blur(theirs))
            our_mask = load_rgba(out / f"m{view}" / f"mask_{k:06d}.png")[..., 0] > 127
            their_mask = load_rgba(REFERENCE / f"m{view}" / f"mask_{k:06d}.png")[..., 0] > 127
            rows.append({"view": view, "index": k, "mae": mae, "psnr": psnr,
                         "blurred_mae": blurred, "iou": mask_iou(our_mask, their_mask)})
    return rows


def summary(rows: list[dict[str, float]]) -> dict[str, float]:
    """Mean MAE, PSNR of the mean squared error, worst image's MAE, mean blurred MAE, and the
    lowest IoU."""
    mse = np.mean([255.0**2 / 10 ** (r["psnr"] / 10) for r in rows])
    return {"mae": float(np.mean([r["mae"] for r in rows])),
            "blurred_mae": float(np.mean([r["blurred_mae"] for r in rows])),
            "psnr": float(10 * np.log10(255.0**2 / mse)),
            "worst_mae": float(max(r["mae"] for r in rows)),
            "min_iou": float(min(r["iou"] for r in rows))}


def figure(out: Path, path: Path, pairs: int = 8) -> None:
    """Rows: the original's view 1, IdentBox's view 1, the original's view 2, IdentBox's
    view 2; one column per pair (the same latent rows)."""
    from PIL import Image, ImageDraw

    size, margin = 128, 96
    sheet = Image.new("RGB", (margin + pairs * size, 4 * size), "white")
    draw = ImageDraw.Draw(sheet)
    rows = ((REFERENCE, 1, "original"), (out, 1, "IdentBox"), (REFERENCE, 2, "original"),
            (out, 2, "IdentBox"))
    for r, (source, view, who) in enumerate(rows):
        for k in range(pairs):
            with Image.open(source / f"m{view}" / f"{k:06d}.png") as image:
                sheet.paste(image.convert("RGB"), (margin + k * size, r * size))
        material = "MyMetal" if view == 1 else "Rubber"
        draw.text((6, r * size + size // 2 - 14), f"{who}\nview {view}\n{material}",
                  fill="black")
    sheet.save(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=8, help="reference pairs (1 to 8)")
    parser.add_argument("--blender", action="append", default=[],
                        help="also render in this Blender executable (e.g. /usr/bin/blender)")
    parser.add_argument("--figure", type=Path, help="write the side-by-side figure here")
    parser.add_argument("--json", action="store_true", help="print per-image rows as JSON")
    parser.add_argument("--quick", action="store_true",
                        help=f"{QUICK_PAIRS} reference pair: seconds (what the tests run)")
    args = parser.parse_args()
    if args.quick:
        args.pairs = QUICK_PAIRS
    print(f"{'Blender':<28} {'MAE /255':>9} {'PSNR dB':>8} {'worst MAE':>10} {'4x4 MAE':>8} "
          f"{'min IoU':>8}")
    for blender in (None, *args.blender):
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp)
            render_reference_rows(out, blender, args.pairs)
            rows = compare(out, args.pairs)
            s = summary(rows)
            name = "bpy wheel" if blender is None else blender
            print(f"{name:<28} {s['mae']:>9.2f} {s['psnr']:>8.1f} {s['worst_mae']:>10.2f} "
                  f"{s['blurred_mae']:>8.2f} {s['min_iou']:>8.3f}")
            if args.json:
                print(json.dumps(rows, indent=1))
            if args.figure and blender is None:
                figure(out, args.figure, args.pairs)


if __name__ == "__main__":
    main()
