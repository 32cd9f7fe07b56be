"""The command line: `python -m identbox COMMAND ...` (see `python -m identbox --help`).

Bad arguments or settings print one line and exit with status 2, having written nothing.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from ..dataset.outputs import outside_dataset
from ..errors import (
    USER_ERRORS,
    DatasetChangedError,
    DatasetError,
    SettingsError,
    describe,
    is_bad_path,
)
from ..limits import Limit
from ..settings.cube import (
    CUBE_FORMAT,
    CUBE_JPEG_QUALITY,
    CUBE_SAMPLES,
    CUBE_SEED,
    DEFAULT_SIZES,
    RANDOM_FRAMES,
    STEP,
    CubeSettings,
)
from ..settings.kinds import kind_of
from ..settings.objects import AnySettings
from ..settings.pairs import N_PAIRS, SEED
from ..settings.render import (
    ADAPTIVE_THRESHOLD,
    DENOISER,
    DEVICE,
    FILE_FORMAT,
    JPEG_QUALITY,
    RESOLUTION,
    SAMPLES,
    WORKERS,
    RunOptions,
    auto_workers,
)
from ..settings.sequence import N_FRAMES, N_INDEPENDENT, N_TRIPLETS, SequenceSettings
from ..settings.shape_files import with_shape_files
from ..settings.splits import parse_splits, split_jobs
from ..settings.views import VIEWS_TEXT, views_from_text
from ..version import __version__

EXIT_USAGE = 2
EXIT_FAILURE = 1
EXIT_INTERRUPTED = 130

SHEET_PAIRS = Limit("pairs", "Pairs", "pairs on the contact sheet", 16, 1, 1024)
VALIDATE_SAMPLE = Limit("sample", "Sample", "pairs or frames whose images are decoded and "
                        "checked", 32, 0, 10_000_000)

DESCRIPTION = """\
IdentBox: benchmark image-pair datasets from controlled ground-truth factors.

A dataset is a list of pairs (view 1, view 2) of one scene. Its ten latent factors
(positions, rotations, hues) are grouped in blocks; each block is content (equal in both
views), style (redrawn around view 1 in view 2) or view-specific. Latents are sampled once,
with a seed, and stored in the published 3DIdentBox layout:

  DIR/factors/m1/latents.npy      view 1, Blender units (N x 10, float64)
  DIR/factors/m1/raw_latents.npy  view 1, raw values in [-1, 1]
  DIR/factors/m2/...              view 2
  DIR/factors/m3/...              view 3, and so on (with settings n_views > 2)
  DIR/manifest.json               settings, seed, column names and meaning, versions
"""

EPILOG = """\
examples:
  python -m identbox presets
  python -m identbox render --preset hues_positions_rotations --n-pairs 8 --out data/demo
  python -m identbox cube --step 0.3 --sizes 32 64 --out data/cube
  python -m identbox validate data/cube
  python -m identbox sample --preset hues_positions_rotations --n-pairs 1000 --seed 0 --out data/hpr
  python -m identbox sample --preset my_settings.json --out data/custom

--preset takes a preset name (see `presets`), a settings JSON file, or a dataset's
manifest.json (to sample the same latents again). Writing into a folder that holds a
different dataset is refused; writing the same dataset again changes nothing.
"""


class _Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line and exit status 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(EXIT_USAGE, f"identbox: error: {message} (see --help)\n")


def _add_dataset_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--preset", default="hues_positions_rotations", metavar="NAME|FILE",
                        help="preset name, settings JSON file or manifest.json "
                             "(default: hues_positions_rotations)")
    parser.add_argument("--n-pairs", type=int, metavar="N",
                        help=f"{N_PAIRS.description} ({N_PAIRS.range_text()}; "
                             "default: the preset's)")
    parser.add_argument("--seed", type=int, metavar="S",
                        help=f"{SEED.description} ({SEED.range_text()}; default: the preset's)")
    for spec in (N_FRAMES, N_INDEPENDENT, N_TRIPLETS):
        parser.add_argument(f"--{spec.name.replace('_', '-')}", type=int, metavar="N",
                            help=f"sequences: {spec.description} ({spec.range_text()}; "
                                 "default: the preset's)")
    parser.add_argument("--views", metavar="K|NAME[:MATERIAL],...",
                        help="the views of each sample: " + VIEWS_TEXT.removeprefix("a ")
                             + "; default: the preset's")
    parser.add_argument("--out", required=True, metavar="DIR", help="dataset folder to write")
    parser.add_argument("--splits", metavar="NAME=N,...",
                        help="write one dataset per split into DIR/NAME, each with its own "
                             "seed derived from --seed (e.g. train=250000,val=10000,test=10000)")


def _add_render_arguments(parser: argparse.ArgumentParser, run: bool = True) -> None:
    from ..presets import render_presets_text

    render = parser.add_argument_group("rendering (part of the dataset: recorded in the manifest)")
    render.add_argument("--published", action="store_true",
                        help="draw the dataset as the published 3DIdentBox data was drawn: the "
                             "originals' legacy hue colours, MyMetal and Rubber, and the "
                             "published render preset (single overrides still apply)")
    render.add_argument("--render-preset", metavar="NAME",
                        help="a bundled render preset (fast is the default; "
                             "published_fast gives the published quality in a fraction of the "
                             "time): " + render_presets_text())
    for spec, metavar in ((RESOLUTION, "PX"), (SAMPLES, "N"), (JPEG_QUALITY, "Q"),
                          (ADAPTIVE_THRESHOLD, "T")):
        kind = int if spec.is_integer else float
        render.add_argument(f"--{spec.name.replace('_', '-')}", type=kind, metavar=metavar,
                            help=f"{spec.description} ({spec.range_text()})")
    for choice in (DENOISER, FILE_FORMAT):
        render.add_argument(f"--{choice.name.replace('_', '-')}", choices=choice.options,
                            help=choice.description)
    if run:
        _add_run_arguments(parser)


def _add_run_arguments(parser: argparse.ArgumentParser) -> None:
    run = parser.add_argument_group("this run (not part of the dataset)")
    run.add_argument("--device", choices=DEVICE.options, default=DEVICE.default,
                     help=DEVICE.description)
    run.add_argument("--batch-index", type=int, default=0, metavar="I",
                     help="render shard I of K (from 0; default 0)")
    run.add_argument("--n-batches", type=int, default=1, metavar="K",
                     help="split the pairs into K contiguous shards (numpy.array_split; "
                          "default 1)")
    _add_workers_argument(run)
    run.add_argument("--blender", metavar="PATH",
                     help="render in this Blender executable (default: this Python's bpy "
                          "module if importable, else $BLENDER, else `blender` on the PATH)")
    run.add_argument("--worker-of", type=int, metavar="PID", help=argparse.SUPPRESS)


def _workers(text: str) -> int:
    """--workers: a count, or auto (0)."""
    if text == "auto":
        return 0
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a count or auto") from None


def _add_workers_argument(group: Any) -> None:
    group.add_argument("--workers", type=_workers, default=WORKERS.default, metavar="N|auto",
                       help=f"{WORKERS.description.replace('0: auto', 'auto')} "
                            f"(1 to {WORKERS.maximum}, or auto, also written 0; default "
                            f"{WORKERS.default}). The "
                            "files are those of a one-process run")


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m identbox", description=DESCRIPTION, epilog=EPILOG,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"identbox {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    commands.add_parser("presets", help="list the bundled presets and what each one is")

    sample = commands.add_parser(
        "sample", help="sample a dataset's latents and write factors/ and manifest.json",
        description="Sample the latents of N pairs and write them, with the manifest, into DIR. "
                    "The render settings are part of the dataset: give the ones you will "
                    "render with.")
    _add_dataset_arguments(sample)
    _add_render_arguments(sample, run=False)

    render = commands.add_parser(
        "render", help="sample the latents (once) and render the image pairs",
        description="Render image pairs into DIR/samples/m1 and m2 (latents and manifest "
                    "first). Re-running resumes: complete pairs are skipped. Shards "
                    "(--batch-index/--n-batches) can run in any order, in any processes.")
    _add_dataset_arguments(render)
    _add_render_arguments(render)

    cube = commands.add_parser(
        "cube", help="render the cLPR cube for a grid (or a random sample) of rotations",
        description="Render the coloured cube of cLPR for every rotation of "
                    "numpy.arange(0, 6.3, STEP) per axis (x outermost), or for random "
                    "rotations, at each size; labels in cLPR's layout (frames, 8, 6). "
                    "Images and label rows are numbered from 0. Resumable and shardable.")
    cube.add_argument("--step", type=float, default=STEP.default, metavar="RAD",
                      help=f"{STEP.description} ({STEP.range_text()}; default {STEP.default})")
    cube.add_argument("--random-frames", type=int, default=0, metavar="N",
                      help=RANDOM_FRAMES.description)
    cube.add_argument("--seed", type=int, default=0, metavar="S", help=CUBE_SEED.description)
    cube.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES), metavar="PX",
                      help="image sizes, each rendered (default: 32 64 128 256)")
    cube.add_argument("--file-format", choices=CUBE_FORMAT.options, default="PNG",
                      help=CUBE_FORMAT.description)
    cube.add_argument("--jpeg-quality", type=int, default=100, metavar="Q",
                      help=CUBE_JPEG_QUALITY.description)
    cube.add_argument("--samples", type=int, default=1, metavar="N",
                      help=CUBE_SAMPLES.description)
    cube.add_argument("--out", required=True, metavar="DIR", help="dataset folder to write")
    _add_run_arguments(cube)

    reproduce = commands.add_parser(
        "reproduce", help="sample the same latents and render again, from a manifest alone",
        description="Regenerate a dataset from its manifest.json into DIR: byte-identical "
                    "latents, and images (identical on the same machine and Blender "
                    "version). --pairs renders a range only.")
    reproduce.add_argument("manifest", metavar="MANIFEST", help="a dataset's manifest.json")
    reproduce.add_argument("--out", required=True, metavar="DIR", help="folder to write")
    reproduce.add_argument("--pairs", metavar="START:END", help="only these pairs (0-based)")
    _add_run_arguments(reproduce)

    sheet = commands.add_parser(
        "contact-sheet", help="draw pairs side by side with their key latents",
        description="Pairs side by side (view 1 | view 2) with their first factors per block "
                    "as captions, coloured by block type.")
    sheet.add_argument("root", metavar="DIR", help="dataset folder")
    sheet.add_argument("--pairs", type=int, default=SHEET_PAIRS.default, metavar="N",
                       help=f"{SHEET_PAIRS.description} ({SHEET_PAIRS.range_text()}; default "
                            f"{SHEET_PAIRS.default})")
    sheet.add_argument("--out", required=True, metavar="PNG", help="image to write")

    plot = commands.add_parser(
        "plot-latents", help="plot every factor's view 1 against view 2",
        description="Per factor: view-1 against view-2 raw values (content lies on the "
                    "diagonal, style around it) and a histogram, coloured by block type.")
    plot.add_argument("root", metavar="DIR", help="dataset folder")
    plot.add_argument("--out", required=True, metavar="PNG", help="image to write (matplotlib: "
                      "PNG, PDF or SVG by the name)")

    evaluate = commands.add_parser(
        "evaluate", help="score a representation of a dataset: R², accuracy, MCC, DCI",
        description="Per factor of the dataset's view: held-out R² of a linear and of a kernel "
                    "ridge regression from the representation (accuracy for a categorical "
                    "factor), the mean per block type, MCC and DCI. A sequence's causal "
                    "variables are scored per frame, angles as (cos, sin). Needs "
                    "identbox[evaluate].")
    evaluate.add_argument("root", metavar="DATASET", help="dataset folder (pairs or sequence)")
    evaluate.add_argument("--representations", required=True, metavar="FILE.npy",
                          help="(pairs, d) codes of the view, one row per pair in pair order, "
                               "or (views, pairs, d); for a sequence (frames, d)")
    evaluate.add_argument("--part", choices=("frames", "independent"), default="frames",
                          help="a sequence's frames the representation is of: its frames in "
                               "order (default) or its independent frames, as CITRIS scores")
    evaluate.add_argument("--view", type=int, default=1, metavar="V",
                          help="the view the representation is of (from 1; default 1)")
    evaluate.add_argument("--seed", type=int, default=0, metavar="S",
                          help="seed of the held-out split of the pairs (default 0)")
    evaluate.add_argument("--json", action="store_true", help="print the report as JSON")
    evaluate.add_argument("--plot", metavar="FILE", help="also draw R² per factor, grouped by "
                          "block type (PNG, PDF or SVG by the name)")

    from ..evaluate.options import BATCH_SIZE, CODE_SIZE, EPOCHS, LEARNING_RATE, TEMPERATURE

    baseline = commands.add_parser(
        "baseline", help="train the ICLR 2023 contrastive baseline on a dataset and evaluate it",
        description="Train one encoder per view with a symmetric InfoNCE loss on the training "
                    "pairs (image/image, or image/text where a view is text), encode the "
                    "held-out pairs and score the first view's codes as `evaluate` does. "
                    "Needs identbox[baseline,evaluate] (torch).")
    baseline.add_argument("root", metavar="DATASET", help="dataset folder")
    baseline.add_argument("--views", type=int, nargs=2, default=[1, 2], metavar="V",
                          help="the two views to pair (default 1 2)")
    for spec in (EPOCHS, BATCH_SIZE, CODE_SIZE, LEARNING_RATE, TEMPERATURE):
        baseline.add_argument(f"--{spec.name.replace('_', '-')}", default=spec.default,
                              type=int if spec.is_integer else float,
                              help=f"{spec.description} (default {spec.default})")
    baseline.add_argument("--seed", type=int, default=0, metavar="S",
                          help="seed of the split, the weights and the batches (default 0)")
    baseline.add_argument("--codes", metavar="FILE.npy",
                          help="also save the held-out pairs' codes (and FILE.rows.npy: their "
                               "pair indices)")
    baseline.add_argument("--json", action="store_true", help="print the report as JSON")
    baseline.add_argument("--plot", metavar="FILE", help="also draw R² per factor")

    slurm = commands.add_parser(
        "slurm", help="render a dataset as a SLURM job array (submit, status, resubmit)",
        description="Render one dataset on a SLURM cluster: a job array over the shards, "
                    "and a finalize job that validates and summarises.")
    actions = slurm.add_subparsers(dest="action", metavar="ACTION", parser_class=_Parser)
    actions.required = True
    submit = actions.add_parser(
        "submit", help="sample the latents once, write DIR/slurm/*.sbatch and submit them")
    _add_dataset_arguments(submit)
    _add_render_arguments(submit, run=False)
    submit.add_argument("--shards", type=int, required=True, metavar="K",
                        help="array tasks, one shard each")
    submit.add_argument("--partition", metavar="P", help="sbatch --partition")
    submit.add_argument("--gpus-per-task", type=int, default=0, metavar="G",
                        help="GPUs per task (SLURM sets CUDA_VISIBLE_DEVICES; default 0)")
    submit.add_argument("--cpus-per-task", type=int, default=1, metavar="C",
                        help="CPUs per task (default 1)")
    submit.add_argument("--time", metavar="T", help="sbatch --time, e.g. 12:00:00")
    submit.add_argument("--blender", metavar="PATH", help="render in this Blender executable")
    submit.add_argument("--device", choices=DEVICE.options, default=DEVICE.default,
                        help="device when no GPU is requested (default auto)")
    _add_workers_argument(submit)
    submit.add_argument("--extra-sbatch", metavar="ARGS",
                        help="more sbatch options, e.g. \"--account=lab --qos=long\"")
    submit.add_argument("--dry-run", action="store_true",
                        help="write the scripts without submitting them")
    for action, text in (("status", "pairs rendered, per-shard state, throughput and ETA"),
                         ("resubmit", "submit again only the incomplete shards"),
                         ("finalize", "validate and write DIR/slurm/summary.json")):
        parser_ = actions.add_parser(action, help=text)
        parser_.add_argument("root", metavar="DIR", help="dataset folder")
        if action == "status":
            parser_.add_argument("--json", action="store_true", help="print JSON")

    from ..dataset.export import FORMATS

    export = commands.add_parser(
        "export", help="write a dataset in another project's file layout",
        description="Write the dataset in DIR, or each split of a folder of splits (train/, "
                    "val/, ...), in another project's file layout or a form people share, so "
                    "that its own loader reads it: multimodal3dident into OUT/NAME per split; "
                    "the others name their files by split in OUT. Nothing is written when DIR "
                    "cannot be exported or OUT is not empty (webdataset and hf resume an "
                    "unfinished export of theirs).")
    export.add_argument("root", metavar="DIR", help="dataset folder, or a folder of splits")
    export.add_argument("--format", required=True, metavar="NAME",
                        help="; ".join(f"{f.name}: {f.description}" for f in FORMATS.values()))
    export.add_argument("--out", required=True, metavar="OUT", help="new or empty folder (or "
                        "an unfinished webdataset or hf export, to resume it)")
    export.add_argument("--shard-pairs", type=int, metavar="N", help="webdataset and hf: pairs "
                        "per tar or Parquet file (default 1000)")

    validate = commands.add_parser(
        "validate", help="check a dataset's files, labels and images; exit 1 on a failure",
        description="Check a dataset. Pairs: manifest, latent checksums, shapes, ranges, block "
                    "rules, re-sampled latents, every image present and whole, a sample "
                    "decoded and compared with its ground hue. Sequence: the same, and every "
                    "step against its mechanism, and each triplet's mix. Cube: label geometry, "
                    "files, and a sample of node pixel colours. A webdataset or hf export: "
                    "every shard's checksum, every pair once, factors equal to the manifest's "
                    "latents.")
    validate.add_argument("root", metavar="DIR", help="dataset folder")
    validate.add_argument("--sample", type=int, default=VALIDATE_SAMPLE.default, metavar="N",
                          help=f"{VALIDATE_SAMPLE.description} ({VALIDATE_SAMPLE.range_text()}; "
                               f"default {VALIDATE_SAMPLE.default})")
    validate.add_argument("--json", action="store_true", help="print the report as JSON")
    return parser


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


def _list_presets() -> int:
    from ..presets import preset_descriptions

    descriptions = preset_descriptions()
    width = max(map(len, descriptions))
    for name, description in descriptions.items():
        print(f"{name:<{width}}  {description}")
    return 0


def _settings(args: argparse.Namespace) -> AnySettings:
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
        if not hasattr(settings, "views"):
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
                      for spec in (RESOLUTION, SAMPLES, JPEG_QUALITY, ADAPTIVE_THRESHOLD,
                                   DENOISER, FILE_FORMAT)
                      if getattr(args, spec.name, None) is not None}
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


def _sample(args: argparse.Namespace) -> int:
    from ..dataset.temporaries import removal_line
    from ..dataset.writer import write_latents

    job = _settings(args)
    kind = kind_of(job)
    if isinstance(job, SequenceSettings):  # the sequence's files; `render` then draws them
        from ..dataset.sequence_writer import write_sequence

        root, frames, written = write_sequence(job, Path(args.out))
        print(f"{root}: " + (f"wrote the latents, interventions and noise of {frames} frames "
                             f"({job.name}, seed {job.seed}) and manifest.json" if written else
                             f"already holds this sequence ({frames} frames, seed {job.seed}); "
                             "nothing written"))
        return 0
    if kind.write != "dataset.writer:write_latents":  # frames of their own: written by render
        raise SettingsError("preset", args.preset, f"a preset of latents `sample` writes; "
                            f"a {kind.name} dataset is written by `render` (or `cube`)")
    for settings, out, extra in _jobs(args, job):
        result = write_latents(settings, out, extra=extra)
        if result.removed:
            print(f"{result.root}: {removal_line(result.removed, result.root)}")
        if result.status == "unchanged":
            print(f"{result.root}: already holds these latents ({settings.n_pairs} pairs, "
                  f"seed {settings.seed}); nothing written")
        else:
            print(f"{result.root}: wrote latents of {settings.n_pairs} pairs "
                  f"({settings.name}, seed {settings.seed}) and manifest.json")
    return 0


def _jobs(args: argparse.Namespace,
          settings: AnySettings) -> list[tuple[AnySettings, Path, dict[str, Any] | None]]:
    """One job, or one per split."""
    if not getattr(args, "splits", None):
        return [(settings, Path(args.out), None)]
    return list(split_jobs(settings, Path(args.out), parse_splits(args.splits)))


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _run(args: argparse.Namespace, argv: Sequence[str], settings: Any,
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
        _log(f"render: running {blender} in background mode")
        return headless.run_in_blender(blender, headless.without_blender_option(argv))
    should_stop = None
    if args.worker_of is not None:  # one of several: stop with the parent, or when killed
        interrupt_on_sigterm()
        should_stop = parent_gone(args.worker_of)
    try:
        for job_settings, out, extra in _jobs(args, settings):
            job_options = {name: value for name, value in
                           (("only", only), ("extra", extra), ("restore", restore)) if value}
            progress = headless.render_in_process(job_settings, out, options, _log,
                                                  should_stop, **job_options)
            _log(f"render: {progress.done}/{progress.total} {kind_of(job_settings).unit} of "
                 f"shard {args.batch_index} of {args.n_batches} (from 0) complete in {out}")
    except KeyboardInterrupt:
        _log("render: interrupted; run the same command again to resume")
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
            jobs.append(headless.start_job(job_settings, out, options, _log, **job_options))
        arguments = headless.without_blender_option(argv)
        for option in ("--workers", WORKER_OF):
            arguments = headless.without_option(arguments, option)
        command = headless.identbox_command(
            blender, [*arguments, "--workers", "1", WORKER_OF, str(os.getpid())])
        _log(f"render: {workers} workers, each " + (f"{blender} in background mode" if blender
                                                     else "a Python process with bpy"))
        status = run_workers(jobs, [command] * workers, _log, kind_of(settings).unit)
    except KeyboardInterrupt:
        _log("render: interrupted; run the same command again to resume")
        return EXIT_INTERRUPTED
    for job, (job_settings, out, _) in zip(jobs, specs, strict=True):
        progress = job.progress()
        _log(f"render: {progress.done}/{progress.total} {kind_of(job_settings).unit} of "
             f"shard {args.batch_index} of {args.n_batches} (from 0) complete in {out}")
    return status


def _slurm(args: argparse.Namespace) -> int:
    import json

    from ..cluster import slurm

    if args.action == "submit":
        if getattr(args, "splits", None):  # one array draws one dataset folder
            raise SettingsError("splits", args.splits, "no --splits for slurm submit: submit "
                                "one array per split, each with its own --seed and --out")
        options = slurm.SlurmOptions(
            shards=args.shards, partition=args.partition, gpus_per_task=args.gpus_per_task,
            cpus_per_task=args.cpus_per_task, time=args.time, blender=args.blender,
            extra_sbatch=args.extra_sbatch, device=args.device, workers=args.workers)
        root = Path(args.out).resolve()
        record = slurm.submit(_settings(args), root, options, dry_run=args.dry_run)
        print(f"scripts in {root / slurm.SLURM_DIR}")
        if args.dry_run:
            print(f"not submitted (--dry-run): sbatch {record['script']}")
        else:
            print(f"array job {record['array_jobs'][0]['job']} ({args.shards} shards), "
                  f"finalize job {record['finalize_jobs'][0]}")
            print(f"watch: squeue -j {record['array_jobs'][0]['job']}; "
                  f"python -m identbox slurm status {root}")
        return 0
    root = Path(args.root).resolve()
    if args.action == "resubmit":
        shards = slurm.resubmit(root)
        print(f"resubmitted shards {shards}" if shards else "nothing to resubmit")
        return 0
    if args.action == "finalize":
        summary = slurm.finalize(root)
        print(json.dumps(summary, indent=2))
        return 0 if summary["valid"] else 1
    report = slurm.status(root)
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    unit = report["unit"]
    print(f"{root}: {report['done']}/{report['pairs']} {unit} ({report['percent']:.1f}%)")
    for row in report["shards"]:
        seconds = f", {row['seconds']:.0f} s" if row["seconds"] is not None else ""
        print(f"  shard {row['shard']}: {row['done']}/{row['pairs']} {row['state']}{seconds}")
    if report["pairs_per_second_per_task"]:
        eta = report["eta_seconds_one_task"]
        print(f"  {report['pairs_per_second_per_task']:.2f} {unit}/s per task; "
              f"{eta:.0f} s of one task's time left")
    return 0


def _look(args: argparse.Namespace) -> int:
    from ..dataset.sheets import contact_sheet

    root = Path(args.root)
    if args.command == "contact-sheet" and Path(args.out).suffix.lower() != ".png":
        raise SettingsError("out", args.out, "a .png file name (the picture is a PNG)")
    if not (root / "manifest.json").exists():
        raise DatasetError(f"{root} has no manifest.json: not an IdentBox dataset")
    outside_dataset(args.out, root)  # a sheet named like one of its images would replace it
    if args.command == "contact-sheet":
        SHEET_PAIRS.check(args.pairs)
        written = contact_sheet(root, args.out, pairs=args.pairs)
    else:
        from ..evaluate.plots import check_format
        from ..evaluate.plots import plot_latents as plot_with_matplotlib

        try:
            written = plot_with_matplotlib(root, check_format(args.out))
        except ImportError as error:  # no matplotlib: say which extra brings it
            print(f"identbox: error: {error}", file=sys.stderr)
            return EXIT_FAILURE
    print(f"wrote {written}")
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    """Score a representation file against a dataset's factors."""
    from ..evaluate.cli import evaluate_command

    return evaluate_command(args)


def _baseline(args: argparse.Namespace) -> int:
    """Train and score the contrastive baseline."""
    from ..evaluate.cli import baseline_command

    return baseline_command(args, _log)


def _reproduce(args: argparse.Namespace, argv: Sequence[str]) -> int:
    """Render a dataset again from its manifest alone (all pairs, or a range)."""
    import numpy as np

    from ..dataset.manifest import FORMAT, read_any_manifest, settings_from_manifest

    manifest = read_any_manifest(Path(args.manifest))
    manifest_format = manifest["format"]
    settings = with_shape_files(settings_from_manifest(manifest), _blend_reader())
    for name, ours in (("identbox_version", __version__), ("numpy_version", np.__version__)):
        if manifest.get(name) != ours:
            _log(f"reproduce: note: the manifest was written with {name} "
                 f"{manifest.get(name)}; this is {ours}")
    if manifest_format != FORMAT:  # a sequence: rendered whole (the same command resumes)
        if args.pairs:
            raise SettingsError("pairs", args.pairs, f"no --pairs for a "
                                f"{kind_of(settings).name} dataset: it is reproduced whole")
        return _run(args, argv, settings)
    only = _pair_range(args.pairs, settings.n_pairs) if args.pairs else None
    from ..dataset.writer import recorded_latents

    recorded_latents(settings, manifest, Path(args.manifest))  # the same data, or nothing
    return _run(args, argv, settings, only=only, restore=True)  # damaged latents too


def _pair_range(text: str, n_pairs: int) -> range:
    start, _, stop = text.partition(":")
    try:
        span = range(int(start or 0), int(stop) if stop else n_pairs)
    except ValueError:
        raise SettingsError("pairs", text, "START:END, e.g. 0:100") from None
    if not 0 <= span.start < span.stop <= n_pairs:
        raise SettingsError("pairs", text, f"START:END with 0 <= START < END <= {n_pairs}")
    return span


def _cube_settings(args: argparse.Namespace) -> CubeSettings:
    return CubeSettings(step=args.step, random_frames=args.random_frames, seed=args.seed,
                        sizes=tuple(args.sizes), file_format=args.file_format,
                        jpeg_quality=args.jpeg_quality, samples=args.samples)


def _validate(args: argparse.Namespace) -> int:
    import json

    from ..dataset.check import validate_dataset

    VALIDATE_SAMPLE.check(args.sample)
    root = Path(args.root)
    checks = validate_dataset(root, args.sample)
    failed = [c for c in checks if not c.ok]
    if args.json:
        print(json.dumps({"root": str(root), "ok": not failed,
                          "checks": [c.__dict__ for c in checks]}, indent=2))
    else:
        for check in checks:
            print(f"{'ok  ' if check.ok else 'FAIL'}  {check.name}: {check.detail}")
        print(f"{root}: {len(checks) - len(failed)} checks passed, {len(failed)} failed")
    return 1 if failed else 0


def _export(args: argparse.Namespace) -> int:
    from ..dataset.export import export_dataset

    outside_dataset(args.out, args.root)
    for folder in export_dataset(Path(args.root), args.format, Path(args.out),
                                 args.shard_pairs):
        print(f"wrote {folder} ({args.format})")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    args = _build_parser().parse_args(arguments)
    try:
        if getattr(args, "out", None) is not None and not args.out.strip():
            raise SettingsError("out", args.out, "a folder for the dataset (an empty path would "
                                "write into the current folder)")
        if args.command in DATASET_WRITERS and getattr(args, "out", None) is not None:
            args.out = dataset_folder(args.out)
        if args.command == "presets":
            return _list_presets()
        if args.command == "sample":
            return _sample(args)
        if args.command == "render":
            return _run(args, arguments, _settings(args))
        if args.command == "cube":
            return _run(args, arguments, _cube_settings(args))
        if args.command == "reproduce":
            return _reproduce(args, arguments)
        if args.command in ("contact-sheet", "plot-latents"):
            return _look(args)
        if args.command == "slurm":
            return _slurm(args)
        if args.command == "export":
            return _export(args)
        if args.command == "evaluate":
            return _evaluate(args)
        if args.command == "baseline":
            return _baseline(args)
        return _validate(args)
    except USER_ERRORS as error:
        print(f"identbox: error: {describe(error)}", file=sys.stderr)
        failed = ((isinstance(error, OSError) and not is_bad_path(error))
                  or isinstance(error, DatasetChangedError))
        return EXIT_FAILURE if failed else EXIT_USAGE
    except RuntimeError as error:  # the renderer failed: device, render setup, Cycles
        print(f"identbox: error: {describe(error)}", file=sys.stderr)
        return EXIT_FAILURE
    except KeyboardInterrupt:
        print("identbox: interrupted; nothing half-written is kept", file=sys.stderr)
        return EXIT_INTERRUPTED
