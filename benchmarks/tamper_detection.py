"""How often validate catches a tampered dataset: tiny renders of four presets, each tampered
once at a time in ways a copy or a script can get wrong, and validated after each tamper.

Tampers (each drawn at random, applied alone, undone before the next):
- pairs: swap two images of one view; swap the views of one pair; swap two view folders;
  replace an image by another pair's image of the same view;
- sequences: swap two frames; swap two neighbouring frames; swap two independent frames;
  swap two triplets' images; replace an image by another of its part.
A tamper is detected when validate (every image decoded: the datasets are smaller than its
sample) fails a check. The untampered dataset must pass first, or the run stops (exit 1).
Prints one row per preset and tamper: detected / tried.
Usage: python benchmarks/tamper_detection.py [--resolution PX] [--tampers N] [--quick]
       [--keep DIR] (DIR: render there once, reuse the renders on later runs)
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from identbox.dataset.checking.check import validate_dataset
from identbox.dataset.files.layout import MANIFEST, held_format, samples_dir
from identbox.dataset.files.manifest import pair_settings_from_manifest, read_manifest
from identbox.dataset.writing.sequence_writer import (
    IMAGES,
    INDEPENDENT_IMAGES,
    SEQUENCE_FORMAT,
    TRIPLET_IMAGES,
)
from identbox.settings.views import image_views

SAMPLES = 4  # Cycles samples: noisy, as a quick render is
SEQUENCE = "temporal_causal3dident_teapot"
PAIR_PRESETS = ("hues_positions_rotations", "three_views_camera", "multimodal3dident")

Tamper = Callable[[Path, np.random.Generator], Callable[[], None] | None]


def _swap(one: Path, two: Path) -> Callable[[], None]:
    """Exchange two files' bytes; returns the undo (the same exchange)."""
    def exchange() -> None:
        first = one.read_bytes()
        one.write_bytes(two.read_bytes())
        two.write_bytes(first)

    exchange()
    return exchange


def _replace(target: Path, source: Path) -> Callable[[], None]:
    """Copy `source` over `target`; returns the undo."""
    kept = target.read_bytes()
    target.write_bytes(source.read_bytes())

    def undo() -> None:
        target.write_bytes(kept)

    return undo


def _two(rng: np.random.Generator, n: int) -> tuple[int, int]:
    i, j = rng.choice(n, size=2, replace=False)
    return int(i), int(j)


@dataclass(frozen=True)
class PairLayout:
    """The image files of a pair dataset that the tampers move."""

    root: Path
    views: tuple[str, ...]  # image views' folders: m1, m2, ...
    n: int
    extension: str

    def image(self, view: str, index: int) -> Path:
        return samples_dir(self.root, view) / f"{index:06d}{self.extension}"


def _pair_layout(root: Path) -> PairLayout:
    settings = pair_settings_from_manifest(read_manifest(root / MANIFEST))
    return PairLayout(root, tuple(f"m{v}" for v in image_views(settings)), settings.n_pairs,
                      settings.render.extension)


def swap_images_of_a_view(root: Path, rng: np.random.Generator) -> Callable[[], None] | None:
    layout = _pair_layout(root)
    view = layout.views[int(rng.integers(len(layout.views)))]
    i, j = _two(rng, layout.n)
    return _swap(layout.image(view, i), layout.image(view, j))


def swap_views_of_a_pair(root: Path, rng: np.random.Generator) -> Callable[[], None] | None:
    layout = _pair_layout(root)
    if len(layout.views) < 2:
        return None
    a, b = _two(rng, len(layout.views))
    index = int(rng.integers(layout.n))
    return _swap(layout.image(layout.views[a], index), layout.image(layout.views[b], index))


def swap_view_folders(root: Path, rng: np.random.Generator) -> Callable[[], None] | None:
    layout = _pair_layout(root)
    if len(layout.views) < 2:
        return None
    a, b = (samples_dir(root, layout.views[k]) for k in _two(rng, len(layout.views)))

    def exchange() -> None:
        parked = a.with_name("parked")
        a.rename(parked)
        b.rename(a)
        parked.rename(b)

    exchange()
    return exchange


def replace_a_pair_image(root: Path, rng: np.random.Generator) -> Callable[[], None] | None:
    layout = _pair_layout(root)
    view = layout.views[int(rng.integers(len(layout.views)))]
    i, j = _two(rng, layout.n)
    return _replace(layout.image(view, i), layout.image(view, j))


def _part_images(root: Path, folder: str) -> list[Path]:
    return sorted((root / folder).glob("0*.*"))


def _swap_in(folder: str, neighbours: bool = False) -> Tamper:
    def tamper(root: Path, rng: np.random.Generator) -> Callable[[], None] | None:
        images = _part_images(root, folder)
        if len(images) < 2:
            return None
        if neighbours:
            i = int(rng.integers(len(images) - 1))
            return _swap(images[i], images[i + 1])
        i, j = _two(rng, len(images))
        return _swap(images[i], images[j])

    return tamper


def replace_a_sequence_image(root: Path, rng: np.random.Generator) -> Callable[[], None] | None:
    parts = [f for f in (IMAGES, INDEPENDENT_IMAGES, TRIPLET_IMAGES)
             if len(_part_images(root, f)) >= 2]
    images = _part_images(root, parts[int(rng.integers(len(parts)))])
    i, j = _two(rng, len(images))
    return _replace(images[i], images[j])


PAIR_TAMPERS: dict[str, Tamper] = {
    "swap two images of one view": swap_images_of_a_view,
    "swap the views of one pair": swap_views_of_a_pair,
    "swap two view folders": swap_view_folders,
    "replace an image": replace_a_pair_image,
}
SEQUENCE_TAMPERS: dict[str, Tamper] = {
    "swap two frames": _swap_in(IMAGES),
    "swap two neighbouring frames": _swap_in(IMAGES, neighbours=True),
    "swap two independent frames": _swap_in(INDEPENDENT_IMAGES),
    "swap two triplets' images": _swap_in(TRIPLET_IMAGES),
    "replace an image": replace_a_sequence_image,
}


def render(preset: str, out: Path, resolution: int, sizes: tuple[int, int, int, int]) -> None:
    """Render `preset` into `out` (kept if a finished render is there)."""
    pairs, frames, independent, triplets = sizes
    counts = (["--n-frames", str(frames), "--n-independent", str(independent),
               "--n-triplets", str(triplets)] if preset == SEQUENCE else ["--n-pairs", str(pairs)])
    done = subprocess.run([sys.executable, "-m", "identbox", "render", "--preset", preset,
                           *counts, "--resolution", str(resolution), "--samples", str(SAMPLES),
                           "--seed", "7", "--out", str(out)], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"rendering {preset} failed:\n{done.stderr}")


def failed(root: Path) -> list[str]:
    """The names of validate's failed checks (every image decoded)."""
    return [f"{c.name}: {c.detail}" for c in validate_dataset(root, sample=10_000) if not c.ok]


def measure(root: Path, tampers: dict[str, Tamper], tries: int,
            seed: int) -> list[tuple[str, int, int]]:
    """(tamper, detected, tried) for each tamper that applies to the dataset in `root`."""
    clean = failed(root)
    if clean:
        sys.exit(f"the untampered {root.name} fails validate: {clean[:3]}")
    rows = []
    for k, (name, tamper) in enumerate(tampers.items()):
        rng = np.random.default_rng([seed, k])
        detected = tried = 0
        for _ in range(tries):
            undo = tamper(root, rng)
            if undo is None:
                break
            tried += 1
            detected += bool(failed(root))
            undo()
        if tried:
            rows.append((name, detected, tried))
    if failed(root):
        sys.exit(f"{root.name}: an undone tamper left the dataset failing")
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resolution", type=int, default=32)
    parser.add_argument("--tampers", type=int, default=20, help="tries of each tamper")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", type=Path, help="render here once; reuse on later runs")
    parser.add_argument("--quick", action="store_true",
                        help="16 px, tiny datasets, 2 tries of each tamper (what the tests run)")
    args = parser.parse_args()
    sizes = (20, 20, 6, 6)  # pairs; frames, independent frames, triplets
    if args.quick:
        args.resolution, args.tampers, sizes = 16, 2, (4, 4, 2, 2)
    with tempfile.TemporaryDirectory() as tmp:
        base = args.keep or Path(tmp)
        print(f"{'preset':<26} {'px':>4}  {'tamper':<30} detected/tried")
        for preset in (*PAIR_PRESETS, SEQUENCE):
            root = base / f"{preset}_{args.resolution}"
            if not (root / MANIFEST).is_file():
                render(preset, root, args.resolution, sizes)
            sequence = held_format(root) == SEQUENCE_FORMAT
            tampers = SEQUENCE_TAMPERS if sequence else PAIR_TAMPERS
            for name, detected, tried in measure(root, tampers, args.tampers, args.seed):
                print(f"{preset:<26} {args.resolution:>4}  {name:<30} {detected}/{tried}")
        print()
        print("untampered datasets: all pass")


if __name__ == "__main__":
    main()
