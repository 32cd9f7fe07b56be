"""Draw the README's pictures again: the demo pairs, three views of a moving camera, and IdentBox
beside the original generator.
Usage: .venv/bin/python docs/make_figures.py   (about a minute on two cores)"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tempfile
from pathlib import Path

from PIL import Image

DOCS = Path(__file__).resolve().parent
REPO = DOCS.parent


def demo_pairs(path: Path, pairs: int = 8, preset: str = "hues_positions_rotations",
               views: int = 2) -> None:
    """Scenes of a preset, one a column: view 1 above view 2 (and the views after it)."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "identbox", "render", "--preset", preset,
                        "--n-pairs", str(pairs), "--seed", "0", "--resolution", "128",
                        "--samples", "64", "--out", tmp], check=True, capture_output=True)
        sheet = Image.new("RGB", (pairs * 128, views * 128), "white")
        for k in range(pairs):
            for view in range(1, views + 1):
                with Image.open(Path(tmp) / "samples" / f"m{view}" / f"{k:06d}.png") as image:
                    sheet.paste(image.convert("RGB"), (k * 128, (view - 1) * 128))
        sheet.save(path)


def fidelity_figure(path: Path) -> None:
    """The reference renders above IdentBox's (bpy wheel) on the same latent rows."""
    spec = importlib.util.spec_from_file_location("fidelity", REPO / "benchmarks" / "fidelity.py")
    assert spec is not None and spec.loader is not None
    fidelity = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fidelity)
    with tempfile.TemporaryDirectory() as tmp:
        fidelity.render_reference_rows(Path(tmp))
        fidelity.figure(Path(tmp), path)


if __name__ == "__main__":
    demo_pairs(DOCS / "demo_pairs.png")
    demo_pairs(DOCS / "camera_views.png", 6, "three_views_camera", 3)
    fidelity_figure(DOCS / "fidelity.png")
    print(f"wrote {DOCS / 'demo_pairs.png'}, {DOCS / 'camera_views.png'} and "
          f"{DOCS / 'fidelity.png'}")
