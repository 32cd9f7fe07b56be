"""Draw the README's pictures again: the demo pairs, three views of a moving camera, and IdentBox
beside the original generators (3DIdentBox's, Multimodal3DIdent's, Temporal Causal3DIdent's).
Usage: .venv/bin/python docs/make_figures.py [NAME.png ...]   (about two minutes on two cores)"""

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


def benchmark(name: str):  # type: ignore[no-untyped-def]
    """A script of benchmarks/ as a module."""
    spec = importlib.util.spec_from_file_location(name, REPO / "benchmarks" / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def fidelity_figure(path: Path) -> None:
    """The reference renders above IdentBox's (bpy wheel) on the same latent rows."""
    fidelity = benchmark("fidelity")
    with tempfile.TemporaryDirectory() as tmp:
        fidelity.render_reference_rows(Path(tmp))
        fidelity.figure(Path(tmp), path)


def originals_figure(path: Path) -> None:
    """Multimodal3DIdent's and Temporal Causal3DIdent's originals' renders above IdentBox's
    (bpy wheel) on the same latent rows."""
    originals = benchmark("fidelity_originals")
    with tempfile.TemporaryDirectory() as tmp:
        drawn = {}
        for preset in originals.ORIGINALS:
            drawn[preset] = Path(tmp) / preset
            originals.render_rows(preset, drawn[preset], rows=6)
        originals.figure(drawn, path)


FIGURES = {"demo_pairs.png": lambda path: demo_pairs(path),
           "camera_views.png": lambda path: demo_pairs(path, 6, "three_views_camera", 3),
           "fidelity.png": fidelity_figure,
           "fidelity_originals.png": originals_figure}

if __name__ == "__main__":
    # Names on the command line draw just those (e.g. camera_views.png).
    for name in sys.argv[1:] or FIGURES:
        FIGURES[name](DOCS / name)
        print(f"wrote {DOCS / name}")
