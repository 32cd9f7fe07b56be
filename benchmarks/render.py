"""Render speed of IdentBox's loop, and what it costs beyond Cycles itself.

For each configuration it prints pairs/s, Cycles' own time per frame (timed around the render
call alone), the overhead ratio (wall time of the loop / Cycles time; target <= 1.10 at 64 px),
and the speed-up over a loop that rebuilds the scene for every image as one of the original
generators did (target >= 3x), all measured in the same run. Memory (RSS) is sampled as it goes.
Usage: python benchmarks/render.py [--pairs N] [--rebuild-pairs M] [--gpu [BACKEND ...]]
       [--no-cpu] [--soak PAIRS] [--quick]
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import bpy

from identbox.console import quiet_stdout
from identbox.model.constants import MATERIALS
from identbox.render.loop import RenderJob
from identbox.sampling.pose import scene_state
from identbox.scene.apply import apply_state
from identbox.scene.builder import SCENE_NAME
from identbox.scene.device import select_device
from identbox.scene.renderer import BlenderPairRenderer
from identbox.settings.pairs import DatasetSettings
from identbox.settings.render import RenderSettings, RunOptions


def rss_mb() -> float:
    """Resident memory of this process, in MB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def identbox_loop(settings: DatasetSettings, device: str, backends: tuple[str, ...],
                  root: Path) -> dict[str, float]:
    """IdentBox's loop: one scene, per frame only transforms, colours and materials change."""
    renderer = BlenderPairRenderer(settings, device, log=lambda m: None, backends=backends)
    job = RenderJob(settings, root, RunOptions(device=device))
    job.render_next(renderer)  # warm-up pair: kernels, BVH, shader compile
    renderer.render_seconds = 0.0
    memory = []
    start = time.perf_counter()
    while not job.finished:
        job.render_next(renderer)
        if job.rendered % max(1, settings.n_pairs // 4) == 0:
            memory.append(rss_mb())
    wall = time.perf_counter() - start
    pairs = job.rendered - 1
    return {"pairs": pairs, "pairs_per_s": pairs / wall,
            "cycles_per_frame": renderer.render_seconds / (2 * pairs),
            "overhead": wall / renderer.render_seconds,
            "rss_first": memory[0], "rss_last": memory[-1],
            "device": renderer.device.describe()}


def rebuild_loop(settings: DatasetSettings, device: str, backends: tuple[str, ...],
                 root: Path, pairs: int) -> float:
    """A fresh scene for every image, built in code. Returns pairs/s."""
    job = RenderJob(settings, root, RunOptions(device=device))
    start = time.perf_counter()
    for index in list(job.pending)[:pairs]:
        for view in (1, 2):
            renderer = BlenderPairRenderer(settings, device, log=lambda m: None, backends=backends)
            renderer.render_view(job.latents[view][index], view, root / f"{view}_{index}.png")
    return pairs / (time.perf_counter() - start)


def reopen_loop(settings: DatasetSettings, device: str, backends: tuple[str, ...],
                root: Path, pairs: int) -> float:
    """The originals' way: re-open the scene's .blend file for every image. Returns pairs/s."""
    job = RenderJob(settings, root, RunOptions(device=device))
    renderer = BlenderPairRenderer(settings, device, log=lambda m: None, backends=backends)
    blend = root / "scene.blend"
    bpy.ops.wm.save_as_mainfile(filepath=str(blend))
    start = time.perf_counter()
    for index in list(job.pending)[:pairs]:
        for view in (1, 2):
            bpy.ops.wm.open_mainfile(filepath=str(blend))
            scene = bpy.data.scenes[SCENE_NAME]
            select_device(scene, device, backends)
            handles = dataclasses.replace(
                renderer.handles, scene=scene, teapot=scene.objects["IdentBox Teapot"],
                ground=scene.objects["IdentBox Ground"], spot=scene.objects["IdentBox Spot"],
                materials={n: bpy.data.materials[f"IdentBox {n}"] for n in MATERIALS})
            state = scene_state(job.latents[view][index], handles.object_size)
            apply_state(handles, state, settings.view_material(view))
            scene.render.filepath = str(root / f"{view}_{index}.png")
            bpy.ops.render.render(write_still=True, scene=scene.name)
    return pairs / (time.perf_counter() - start)


QUICK = {"pairs": 2, "rebuild_pairs": 1, "soak": 4}
QUICK_RESOLUTION = 16

HEADER = (f"{'device':<6} {'px':>4} {'spp':>4} {'pairs/s':>8} {'Cycles ms':>10} "
          f"{'overhead':>9} {'rebuild/s':>10} {'x rebuild':>10} {'re-open/s':>10} "
          f"{'x re-open':>10} {'RSS MB':>12}")


def row_text(label: str, resolution: int, samples: int, ours: dict, rebuild: float,
             reopen: float) -> str:
    """One table row."""
    speed = ours["pairs_per_s"]
    return (f"{label:<6} {resolution:>4} {samples:>4} {speed:>8.2f} "
            f"{1000 * ours['cycles_per_frame']:>10.1f} {ours['overhead']:>9.3f} "
            f"{rebuild:>10.2f} {speed / rebuild:>9.1f}x {reopen:>10.2f} {speed / reopen:>9.1f}x "
            f"{ours['rss_first']:>5.0f}->{ours['rss_last']:<5.0f}")


def configurations(cpu: bool, gpu: list[str] | None, quick: bool) -> list[tuple]:
    """(device, label, resolution, samples, backends) of each row: "few samples" at both
    sizes, and how the gain shrinks as Cycles' own path tracing grows. Quick: one tiny
    configuration per device, through the same loops."""
    rows: list[tuple] = [] if not cpu else [
        ("cpu", "CPU", 64, 1, ()), ("cpu", "CPU", 64, 4, ()), ("cpu", "CPU", 64, 16, ()),
        ("cpu", "CPU", 224, 4, ())]
    if gpu is not None:
        rows += [("gpu", backend, 224, spp, (backend,))
                 for backend in (gpu or ["OPTIX", "CUDA"]) for spp in (4, 64)]
    if not quick:
        return rows
    tiny: dict[str, tuple] = {}
    for device, label, _, _, backends in rows:
        tiny.setdefault(label, (device, label, QUICK_RESOLUTION, 1, backends))
    return list(tiny.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=60, help="pairs per configuration")
    parser.add_argument("--rebuild-pairs", type=int, default=8)
    parser.add_argument("--gpu", nargs="*", metavar="BACKEND",
                        help="also these GPU backends at 224 px (none named: OPTIX CUDA)")
    parser.add_argument("--no-cpu", action="store_true", help="skip the CPU configurations")
    parser.add_argument("--soak", type=int, default=1000, metavar="PAIRS",
                        help="memory check: this many pairs at 16 px, 1 sample (0: skip)")
    parser.add_argument("--quick", action="store_true",
                        help=f"{QUICK['pairs']} pairs of one {QUICK_RESOLUTION} px, 1-sample "
                             "configuration per device: seconds (what the tests run)")
    args = parser.parse_args()
    if args.quick:
        vars(args).update(QUICK)

    configs = configurations(not args.no_cpu, args.gpu, args.quick)
    rows = []
    with tempfile.TemporaryDirectory() as tmp, quiet_stdout():
        for k, (device, label, resolution, samples, backends) in enumerate(configs):
            settings = DatasetSettings(n_pairs=args.pairs + 1, seed=k, render=RenderSettings(
                resolution=resolution, samples=samples))
            base = Path(tmp) / str(k)
            try:
                ours = identbox_loop(settings, device, backends, base / "ours")
                rebuild = rebuild_loop(settings, device, backends, base / "rebuild",
                                       args.rebuild_pairs)
                reopen = reopen_loop(settings, device, backends, base / "reopen",
                                     args.rebuild_pairs)
            except RuntimeError as error:
                print(f"{label} {resolution}px: skipped ({error})", file=sys.stderr)
                continue
            rows.append((label, resolution, samples, ours, rebuild, reopen))
            print(row_text(*rows[-1]), file=sys.stderr, flush=True)  # as it goes, for long runs

        if args.soak:
            settings = DatasetSettings(n_pairs=args.soak + 1, seed=99, render=RenderSettings(
                resolution=16, samples=1))
            soak = identbox_loop(settings, "cpu", (), Path(tmp) / "soak")
    if args.soak:
        print(f"memory over {2 * soak['pairs']:.0f} frames (16 px, 1 sample): RSS "
              f"{soak['rss_first']:.0f} MB after the first quarter, {soak['rss_last']:.0f} MB "
              f"at the end ({soak['pairs_per_s']:.0f} pairs/s)")
    print(f"IdentBox render benchmark: {args.pairs} pairs per config (after one warm-up pair); "
          f"rebuild and re-open loops over {args.rebuild_pairs} pairs; {os.cpu_count()} CPUs")
    print(HEADER)
    for row in rows:
        print(row_text(*row))
    if rows:
        print("devices: " + "; ".join(sorted({r[3]["device"] for r in rows})))
        print(f"median overhead: {statistics.median(r[3]['overhead'] for r in rows):.3f}")


if __name__ == "__main__":
    main()
