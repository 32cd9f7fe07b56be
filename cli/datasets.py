"""The commands that write a dataset folder: sample, render, cube and reproduce (and the
settings they read from the arguments, which slurm submit shares)."""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..errors import (
    SettingsError,
)
from ..settings.contract import KindSettings
from ..settings.cube import (
    CubeSettings,
)
from ..settings.kinds import kind_of
from ..settings.parts import as_sample
from ..settings.render import RENDER_SPECS, RunOptions, auto_workers
from ..settings.sequence import N_FRAMES, N_INDEPENDENT, N_TRIPLETS
from ..settings.shape_files import with_shape_files
from ..settings.splits import parse_splits, split_jobs
from ..settings.views import views_from_text
from ..version import __version__
from .parser import EXIT_INTERRUPTED

# The commands whose --out is a dataset folder that Blender writes images into.
DATASET_WRITERS = frozenset({"sample", "render", "cube", "reproduce", "slurm"})


def dataset_folder(text: str) -> str:
    """--out as an absolute, normalised path, so that Blender writes where Python does: it
    reads a leading '//' as "beside the .blend file" (the current folder, headless) and a
    backslash as a folder separator, where Python reads '/' and a plain character."""
    if "\\" in text and os.sep == "/":
        raise SettingsError("out", text, "a path without backslashes: Blender reads '\\' as a "
                            "folder separator and would write the images elsewhere")
    if text.startswith("//"):
        text = "/" + text.lstrip("/")
    return os.path.abspath(text)


def settings_from_args(args: argparse.Namespace) -> KindSettings:
    """The job's settings: the preset, the published look, the render preset, then single
    overrides."""
    from ..presets import load_preset, load_render_preset, with_published_look

    settings = load_preset(args.preset)
    if getattr(args, "published", False):
        settings = with_published_look(settings)
    changes = {name: getattr(args, name, None)
               for name in ("n_pairs", "seed", *(spec.name for spec in (N_FRAMES, N_INDEPENDENT,
                                                                         N_TRIPLETS)))}
    changes = {name: value for name, value in changes.items() if value is not None}
    if getattr(args, "views", None) is not None:
        if not kind_of(settings).pairs:
            raise SettingsError("views", args.views, "no --views for this kind of dataset")
        views = views_from_text(args.views, settings.scene)
        changes |= {"views": views, "n_views": len(views)}
    if getattr(args, "render_preset", None):
        changes["render"] = load_render_preset(args.render_preset)
    known = {field.name for field in dataclasses.fields(settings)}
    for name, value in changes.items():
        if name not in known:  # e.g. --n-pairs for a sequence, which counts frames
            raise SettingsError(name, value, f"no --{name.replace('_', '-')} for a "
                                f"{kind_of(settings).name} dataset (set it in the preset)")
    if changes:
        settings = settings.replace(**changes)
    render_changes = {spec.name: getattr(args, spec.name)
                      for spec in RENDER_SPECS if getattr(args, spec.name, None) is not None}
    if render_changes:
        settings = settings.replace(render=dataclasses.replace(settings.render, **render_changes))
    if getattr(args, "splits", None):  # refused for kinds without pairs, in every command
        split_jobs(settings, Path(args.out), parse_splits(args.splits))
    return with_shape_files(settings, _blend_reader())


def _blend_reader() -> Callable[[Path, str], Any] | None:
    """What reads an object out of a .blend: Blender, where bpy imports in this process; else
    None (the Blender child that renders checks those objects before it writes anything)."""
    from ..render.headless import bpy_importable

    if not bpy_importable():
        return None

    def read(path: Path, name: str) -> Any:
        from ..scene.blend_shapes import read_blend_object

        return read_blend_object(path, name)
    return read


def sample(args: argparse.Namespace) -> int:
    job = settings_from_args(args)
    kind = kind_of(job)
    if kind.sample is None:  # frames of their own: written by render
        raise SettingsError("preset", args.preset, f"a preset of latents `sample` writes; "
                            f"a {kind.name} dataset is written by `render` (or `cube`)")
    write = as_sample(kind.sample)
    for settings, out, extra in _jobs(args, job):  # extra: a split's manifest entry
        for line in write(settings, out, extra).splitlines():
            print(f"{out}: {line}")
    return 0


def _jobs(args: argparse.Namespace,
          settings: KindSettings) -> list[tuple[KindSettings, Path, dict[str, Any] | None]]:
    """One job, or one per split."""
    if not getattr(args, "splits", None):
        return [(settings, Path(args.out), None)]
    return list(split_jobs(settings, Path(args.out), parse_splits(args.splits)))


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run(args: argparse.Namespace, argv: Sequence[str], settings: Any,
         only: range | None = None, restore: bool = False) -> int:
    """Render in this process, or in a Blender child with the same arguments."""
    from ..render import headless
    from ..render.workers import interrupt_on_sigterm, parent_gone

    options = RunOptions(device=args.device, batch_index=args.batch_index,
                         n_batches=args.n_batches, workers=args.workers)
    blender = None
    if args.blender or not headless.bpy_importable():
        blender = headless.find_blender(args.blender)
    workers = options.workers or auto_workers(
        headless.gpu_found(blender) if options.device == "auto" else options.device == "gpu")
    if workers > 1:
        return _run_workers(args, argv, settings, options, workers, blender,
                            only=only, restore=restore)
    if blender:
        log(f"render: running {blender} in background mode")
        return headless.run_in_blender(blender, headless.without_blender_option(argv))
    should_stop = None
    if args.worker_of is not None:  # one of several: stop with the parent, or when killed
        interrupt_on_sigterm()
        should_stop = parent_gone(args.worker_of)
    try:
        for job_settings, out, extra in _jobs(args, settings):
            job_options = {name: value for name, value in
                           (("only", only), ("extra", extra), ("restore", restore)) if value}
            progress = headless.render_in_process(job_settings, out, options, log,
                                                  should_stop, **job_options)
            log(f"render: {progress.done}/{progress.total} {kind_of(job_settings).unit} of "
                 f"shard {args.batch_index} of {args.n_batches} (from 0) complete in {out}")
    except KeyboardInterrupt:
        log("render: interrupted; run the same command again to resume")
        return EXIT_INTERRUPTED
    return 0


def _run_workers(args: argparse.Namespace, argv: Sequence[str], settings: Any,
                 options: RunOptions, workers: int, blender: str | None,
                 only: range | None, restore: bool) -> int:
    """Write the latents here, then render with `workers` processes running this same command
    as one-process runs; one progress line for all of them."""
    from ..render import headless
    from ..render.workers import WORKER_OF, run_workers

    specs, jobs = _jobs(args, settings), []
    try:
        for job_settings, out, extra in specs:
            job_options = {name: value for name, value in
                           (("only", only), ("extra", extra), ("restore", restore)) if value}
            jobs.append(headless.start_job(job_settings, out, options, log, **job_options))
        arguments = headless.without_blender_option(argv)
        for option in ("--workers", WORKER_OF):
            arguments = headless.without_option(arguments, option)
        command = headless.identbox_command(
            blender, [*arguments, "--workers", "1", WORKER_OF, str(os.getpid())])
        log(f"render: {workers} workers, each " + (f"{blender} in background mode" if blender
                                                     else "a Python process with bpy"))
        status = run_workers(jobs, [command] * workers, log, kind_of(settings).unit)
    except KeyboardInterrupt:
        log("render: interrupted; run the same command again to resume")
        return EXIT_INTERRUPTED
    for job, (job_settings, out, _) in zip(jobs, specs, strict=True):
        progress = job.progress()
        log(f"render: {progress.done}/{progress.total} {kind_of(job_settings).unit} of "
             f"shard {args.batch_index} of {args.n_batches} (from 0) complete in {out}")
    return status


def reproduce(args: argparse.Namespace, argv: Sequence[str]) -> int:
    """Render a dataset again from its manifest alone (all pairs, or a range)."""
    import numpy as np

    from ..dataset.files.manifest import FORMAT, read_any_manifest, settings_from_manifest

    manifest = read_any_manifest(Path(args.manifest))
    manifest_format = manifest["format"]
    settings = with_shape_files(settings_from_manifest(manifest), _blend_reader())
    for name, ours in (("identbox_version", __version__), ("numpy_version", np.__version__)):
        if manifest.get(name) != ours:
            log(f"reproduce: note: the manifest was written with {name} "
                 f"{manifest.get(name)}; this is {ours}")
    if manifest_format != FORMAT:  # a sequence: rendered whole (the same command resumes)
        if args.pairs:
            raise SettingsError("pairs", args.pairs, f"no --pairs for a "
                                f"{kind_of(settings).name} dataset: it is reproduced whole")
        return run(args, argv, settings)
    only = _pair_range(args.pairs, settings.n_pairs) if args.pairs else None
    from ..dataset.writing.writer import recorded_latents

    recorded_latents(settings, manifest, Path(args.manifest))  # the same data, or nothing
    return run(args, argv, settings, only=only, restore=True)  # damaged latents too


def _pair_range(text: str, n_pairs: int) -> range:
    start, _, stop = text.partition(":")
    try:
        span = range(int(start or 0), int(stop) if stop else n_pairs)
    except ValueError:
        raise SettingsError("pairs", text, "START:END, e.g. 0:100") from None
    if not 0 <= span.start < span.stop <= n_pairs:
        raise SettingsError("pairs", text, f"START:END with 0 <= START < END <= {n_pairs}")
    return span


def cube_settings(args: argparse.Namespace) -> CubeSettings:
    return CubeSettings(step=args.step, random_frames=args.random_frames, seed=args.seed,
                        sizes=tuple(args.sizes), file_format=args.file_format,
                        jpeg_quality=args.jpeg_quality, samples=args.samples)
