"""Image quality of cheaper render settings against the published ones, and what each costs.

For a fixed set of frames (both views of the first pairs of a single-object and two
multi-object presets, with the published look) it renders the published reference (512
samples, OpenImageDenoise) and each candidate (sample counts, adaptive sampling, denoising on
the CPU or a GPU, or none), and prints frames/s, CPU seconds per frame, the mean and worst
PSNR of the candidate's frames against the reference, and its speed over the published
settings' (by CPU seconds: wall time swings with other work on a shared machine), all timed in
one run. The bar ("published quality"): mean >= 45 dB and no frame below 38 dB.

References are stored under --cache (default ~/.cache/identbox/quality), one PNG per frame,
named by a hash of the frame's latents, its settings, the Blender version and the package's
drawing code; a later run renders them again only to time the published settings on
--time-frames frames per preset. Everything renders in one process on the CPU, one frame at a
time (GPU rows only where Cycles finds a GPU).
Usage: python benchmarks/quality.py [--pairs N] [--resolution PX] [--cache DIR]
       [--time-frames N] [--quick]
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import bpy
import numpy as np

import identbox
from identbox.dataset.checking.images import image_difference, load_rgba
from identbox.presets import PUBLISHED, load_preset, load_render_preset, with_published_look
from identbox.render.headless import quiet_stdout
from identbox.scene.denoising import start_denoiser
from identbox.scene.device import DeviceError
from identbox.scene.render_setup import configure_render, set_denoiser
from identbox.settings.kinds import kind_of, load
from identbox.settings.render import RenderSettings

PRESETS = ("hues_positions_rotations", "objects_content_2", "clevr_like")
MEAN_BAR, WORST_BAR = 45.0, 38.0  # dB against the published settings' render
# The code that turns a latent row into pixels: a change there makes stored references stale.
DRAWING_CODE = ("scene", "model", "sampling")
# Render presets that get a row of their own, named, when no candidate has their settings.
PRESET_ROWS = ("published_fast",)
QUICK = {"pairs": 1, "resolution": 32, "time_frames": 1}
QUICK_SAMPLE_DIVISOR = 8  # quick mode: every sample count / 8 (the reference: 64)


@dataclass(frozen=True)
class Candidate:
    """One row: render settings (at the benchmark's resolution) on the CPU or a GPU."""

    label: str
    render: RenderSettings
    device: str = "cpu"


def candidates(reference: RenderSettings, divisor: int = 1) -> list[Candidate]:
    """The published settings, then cheaper ones: denoised, adaptive, plain; GPU denoisers
    last. Sample counts are divided by `divisor` (quick mode)."""
    def row(samples: int, denoiser: str, adaptive: float = 0.0, device: str = "cpu",
            ) -> Candidate:
        samples = max(1, samples // divisor)
        short = {"openimagedenoise": "oidn"}.get(denoiser, denoiser)
        label = f"{samples}+{short}" + (f"/a{adaptive:g}" if adaptive else "")
        return Candidate(label, dataclasses.replace(
            reference, samples=samples, denoiser=denoiser, adaptive_threshold=adaptive), device)

    rows = [Candidate("published", reference),
            *(row(n, "openimagedenoise") for n in (8, 12, 16, 32, 64)),
            row(64, "openimagedenoise", 0.05), row(64, "openimagedenoise", 0.1),
            row(64, "none"),
            row(16, "optix", device="gpu"), row(16, "openimagedenoise", device="gpu")]
    rows = [c for k, c in enumerate(rows)  # quick mode's divided counts can coincide
            if all((c.render, c.device) != (d.render, d.device) for d in rows[:k])]
    for name in PRESET_ROWS:  # a bundled preset's row is named for it
        preset = load_render_preset(name)
        render = dataclasses.replace(preset, resolution=reference.resolution,
                                     samples=max(1, preset.samples // divisor))
        same = [k for k, c in enumerate(rows) if c.render == render and c.device == "cpu"]
        if same:
            rows[same[0]] = dataclasses.replace(rows[same[0]],
                                                label=f"{rows[same[0]].label}={name}")
        else:
            rows.insert(-2, Candidate(name, render))
    return rows


@dataclass(frozen=True)
class Frame:
    """One view of one pair of one preset, and where its reference is stored."""

    preset: str
    pair: int
    view: int
    row: np.ndarray = field(compare=False)
    reference: Path


def drawing_code_hash() -> str:
    """A hash of the package's drawing code (scene/, model/, sampling/)."""
    root = Path(identbox.__file__).resolve().parent
    digest = hashlib.sha256()
    for folder in DRAWING_CODE:
        for path in sorted((root / folder).rglob("*.py")):
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def reference_key(settings: Any, view: int, row: np.ndarray, code: str) -> str:
    """The name of a frame's stored reference: its latents and settings (the pair count and
    seed aside: the row is in the key), the Blender version and the drawing code."""
    table = {k: v for k, v in settings.to_dict().items() if k not in ("n_pairs", "seed")}
    digest = hashlib.sha256(json.dumps(
        {"settings": table, "view": view, "blender": bpy.app.version_string, "code": code},
        sort_keys=True).encode())
    digest.update(np.ascontiguousarray(row, dtype=np.float64).tobytes())
    return digest.hexdigest()[:24]


def preset_settings(name: str, pairs: int, reference: RenderSettings) -> Any:
    """A preset's first pairs with the published look, drawn with the reference settings."""
    return with_published_look(load_preset(name)).replace(n_pairs=pairs, seed=0,
                                                          render=reference)


def preset_frames(name: str, settings: Any, cache: Path, code: str) -> list[Frame]:
    """Both views of each pair of the preset's settings, the same rows at every resolution
    (drawn at the published one: where objects may lie depends on it)."""
    latents = settings.replace(render=load_render_preset(PUBLISHED)).sample()
    rows = {1: latents.latents1, 2: latents.latents2}
    return [Frame(name, k, view, rows[view][k],
                  cache / f"{reference_key(settings, view, rows[view][k], code)}.png")
            for k in range(settings.n_pairs) for view in (1, 2)]


@dataclass
class Measured:
    """A row's seconds and PSNR per frame (by position in the benchmark's frame list)."""

    seconds: dict[int, float] = field(default_factory=dict)
    cpu_seconds: dict[int, float] = field(default_factory=dict)
    psnr: dict[int, float] = field(default_factory=dict)
    skipped: str = ""


def render_timed(renderer: Any, frame: Frame, path: Path, row: Measured | None = None,
                 index: int = 0) -> None:
    """Draw one frame into `path` (showing the state, Cycles, writing the file); its wall and
    CPU seconds (all of this process's threads) go into `row` under `index`."""
    start, cpu = time.perf_counter(), time.process_time()
    with quiet_stdout():
        renderer.render_view(frame.row, frame.view, path)
    if row is not None:
        row.seconds[index] = time.perf_counter() - start
        row.cpu_seconds[index] = time.process_time() - cpu


def use_settings(renderer: Any, render: RenderSettings, warm_up: Frame, scratch: Path) -> str:
    """Switch the renderer's scene to `render` and draw one untimed 1-sample frame with it
    (kernels, denoiser, scene sync); the fallback that had to be taken, if any."""
    configure_render(renderer.scene, dataclasses.replace(render, samples=1))
    way, warnings = start_denoiser(renderer.scene, render.denoiser, renderer.device,
                                   log=lambda line: None)
    render_timed(renderer, warm_up, scratch / "warm-up.png")
    configure_render(renderer.scene, render)
    set_denoiser(renderer.scene, way)  # the way the trial found: no second trial render
    return "; ".join(warnings)


def measure_references(renderer: Any, frames: list[tuple[int, Frame]], published: Candidate,
                       time_frames: int, scratch: Path, result: Measured) -> int:
    """Render the missing references into the cache, and the published settings again on the
    first `time_frames` frames that were stored already (to time them). Returns how many
    references it rendered."""
    use_settings(renderer, published.render, frames[0][1], scratch)
    rendered = 0
    for k, (index, frame) in enumerate(frames):
        if not frame.reference.exists():
            frame.reference.parent.mkdir(parents=True, exist_ok=True)
            part = frame.reference.with_name(f".{frame.reference.name}.{os.getpid()}.png")
            render_timed(renderer, frame, part, result, index)
            part.replace(frame.reference)  # whole or absent
            rendered += 1
        elif k < time_frames:
            path = scratch / f"{index}.png"
            render_timed(renderer, frame, path, result, index)
            result.psnr[index] = psnr(path, frame.reference)
    return rendered


def psnr(path: Path, reference: Path) -> float:
    """PSNR (dB) of an image against its reference."""
    return image_difference(load_rgba(path), load_rgba(reference))[1]


def measure_candidate(renderer: Any, frames: list[tuple[int, Frame]], candidate: Candidate,
                      scratch: Path, result: Measured) -> None:
    """Every frame with the candidate's settings, timed and compared with its reference."""
    warning = use_settings(renderer, candidate.render, frames[0][1], scratch)
    if warning:
        result.skipped = f"not measured ({warning})"
        return
    for index, frame in frames:
        path = scratch / f"{index}.png"
        render_timed(renderer, frame, path, result, index)
        result.psnr[index] = psnr(path, frame.reference)


def run(settings: dict[str, Any], frames: list[Frame], rows: list[Candidate],
        time_frames: int, scratch: Path) -> tuple[dict[Candidate, Measured], int]:
    """Every row over every frame, one preset (one built scene) at a time; the measures of
    each row and how many references were rendered."""
    results = {c: Measured() for c in rows}
    rendered = 0
    for name, preset in settings.items():
        mine = [(k, f) for k, f in enumerate(frames) if f.preset == name]
        build: Callable[..., Any] = load(kind_of(preset).renderer)
        with quiet_stdout():
            renderer = build(preset, "cpu", log=lambda m: None)
        rendered += measure_references(renderer, mine, rows[0], time_frames, scratch,
                                       results[rows[0]])
        progress(name, rows[0], results[rows[0]])
        for candidate in rows[1:]:
            if candidate.device != "cpu":
                continue
            measure_candidate(renderer, mine, candidate, scratch, results[candidate])
            progress(name, candidate, results[candidate])
        gpu_rows = [c for c in rows if c.device == "gpu"]
        try:
            with quiet_stdout():
                renderer = build(preset, "gpu", log=lambda m: None)
        except DeviceError:
            for candidate in gpu_rows:
                results[candidate].skipped = "not measured (no GPU)"
            continue
        for candidate in gpu_rows:
            measure_candidate(renderer, mine, candidate, scratch, results[candidate])
            progress(name, candidate, results[candidate])
    return results, rendered


def progress(preset: str, candidate: Candidate, row: Measured) -> None:
    """A line on stderr as each row of each preset finishes (a full run takes minutes)."""
    print(f"{preset}: {candidate.label} on {candidate.device}: "
          f"{sum(row.seconds.values()):.1f} s of rendering so far", file=sys.stderr, flush=True)


def frames_per_second(row: Measured) -> float:
    """Frames drawn per second of rendering."""
    return len(row.seconds) / sum(row.seconds.values())


def cpu_per_frame(row: Measured) -> float:
    """CPU seconds per frame: unlike wall time, hardly moved by other work on the machine."""
    return sum(row.cpu_seconds.values()) / len(row.cpu_seconds)


def speed_up(published: Measured, row: Measured) -> float:
    """The published settings' CPU seconds per frame over the row's (the published ones timed
    on the same presets' frames: all of them, or the first --time-frames of each)."""
    return cpu_per_frame(published) / cpu_per_frame(row)


def meets_bar(row: Measured) -> bool:
    """Published quality: mean PSNR >= 45 dB and no frame below 38 dB."""
    values = list(row.psnr.values())
    return bool(values) and statistics.fmean(values) >= MEAN_BAR and min(values) >= WORST_BAR


HEADER = (f"{'settings':<22} {'device':<6} {'frames/s':>9} {'CPU s':>6} {'mean dB':>8} "
          f"{'worst dB':>9} {'x published':>12}")


def row_text(candidate: Candidate, row: Measured, published: Measured) -> str:
    """One table row; the published row's PSNR is of its re-rendered frames against the stored
    references (inf: the same pixels), '-' where it rendered them all just now."""
    label = candidate.label
    if row.skipped:
        return f"{label:<22} {candidate.device:<6} {row.skipped}"
    fps = frames_per_second(row)
    values = list(row.psnr.values())
    mean, worst = ((f"{statistics.fmean(values):.1f}", f"{min(values):.1f}") if values
                   else ("-", "-"))
    return (f"{label:<22} {candidate.device:<6} {fps:>9.3f} {cpu_per_frame(row):>6.2f} "
            f"{mean:>8} {worst:>9} {speed_up(published, row):>11.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=2, help="pairs per preset (2 views each)")
    parser.add_argument("--resolution", type=int, default=224, help="pixels (224 as published)")
    parser.add_argument("--cache", type=Path,
                        default=Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
                        / "identbox" / "quality", help="folder of the stored references")
    parser.add_argument("--time-frames", type=int, default=1,
                        help="frames per preset the published settings are timed on when "
                             "their references are stored already")
    parser.add_argument("--quick", action="store_true",
                        help=f"{QUICK['pairs']} pair per preset at {QUICK['resolution']} px, "
                             f"sample counts / {QUICK_SAMPLE_DIVISOR}: seconds (what the tests "
                             "run)")
    args = parser.parse_args()
    divisor = 1
    if args.quick:
        vars(args).update(QUICK)
        divisor = QUICK_SAMPLE_DIVISOR

    published = load_render_preset(PUBLISHED)
    reference = dataclasses.replace(published, resolution=args.resolution,
                                    samples=published.samples // divisor)
    rows = candidates(reference, divisor)
    code = drawing_code_hash()
    settings = {name: preset_settings(name, args.pairs, reference) for name in PRESETS}
    frames = [f for name, s in settings.items()
              for f in preset_frames(name, s, args.cache, code)]
    with tempfile.TemporaryDirectory() as tmp:
        results, rendered = run(settings, frames, rows, args.time_frames, Path(tmp))

    print(f"IdentBox quality benchmark: {len(frames)} frames ({', '.join(PRESETS)}: "
          f"{args.pairs} pairs x 2 views each, published look), {args.resolution} px, "
          f"{os.cpu_count()} CPUs, Blender {bpy.app.version_string}")
    print(f"references ({reference.samples} samples, {reference.denoiser}): "
          f"{len(frames) - rendered} cached, {rendered} rendered, in {args.cache}")
    print(f"PSNR against the reference; bar: mean >= {MEAN_BAR:g} dB, worst >= {WORST_BAR:g} dB; "
          "CPU s: CPU seconds per frame; x published: the published settings' CPU s over the "
          "row's")
    print(HEADER)
    base = results[rows[0]]
    for candidate in rows:
        print(row_text(candidate, results[candidate], base))
    passing = [c for c in rows[1:] if meets_bar(results[c])]
    if passing:
        best = max(passing, key=lambda c: speed_up(base, results[c]))
        print(f"cheapest meeting the bar: {best.label} on {best.device} "
              f"({speed_up(base, results[best]):.1f}x the published speed)")
    else:
        print("cheapest meeting the bar: none")


if __name__ == "__main__":
    main()
