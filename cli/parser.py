"""The command line's arguments: one parser, its commands and their options."""

from __future__ import annotations

import argparse
from typing import Any, NoReturn

from ..limits import Choice, Limit
from ..settings.cube import (
    CUBE_FILE_FORMAT,
    CUBE_JPEG_QUALITY,
    CUBE_SAMPLES,
    CUBE_SEED,
    DEFAULT_SIZES,
    RANDOM_FRAMES,
    STEP,
)
from ..settings.pairs import N_PAIRS, SEED
from ..settings.render import DEVICE, RENDER_SPECS, WORKERS
from ..settings.sequence import N_FRAMES, N_INDEPENDENT, N_TRIPLETS
from ..settings.views import VIEWS_TEXT
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


RENDER_METAVARS = {"resolution": "PX", "jpeg_quality": "Q", "adaptive_threshold": "T",
                   "blur_glossy": "F"}


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
    for spec in RENDER_SPECS:  # every render setting, one flag each (datasets.py reads them)
        flag = f"--{spec.name.replace('_', '-')}"
        if isinstance(spec, Choice):
            render.add_argument(flag, choices=spec.options, help=spec.description)
        else:
            render.add_argument(flag, type=int if spec.is_integer else float,
                                metavar=RENDER_METAVARS.get(spec.name, "N"),
                                help=f"{spec.description} ({spec.range_text()})")
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


def build_parser() -> argparse.ArgumentParser:
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
    cube.add_argument("--file-format", choices=CUBE_FILE_FORMAT.options, default="PNG",
                      help=CUBE_FILE_FORMAT.description)
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
    evaluate.add_argument("--rows", metavar="FILE.npy",
                          help="the pair indices the representation's rows are of (e.g. the "
                               "held-out pairs `baseline --codes` wrote); default: "
                               "FILE.rows.npy beside --representations FILE.npy if it exists, "
                               "else every pair in order")
    evaluate.add_argument("--part", choices=("frames", "independent"), default="frames",
                          help="a sequence's frames the representation is of: its frames in "
                               "order (default) or its independent frames, as CITRIS scores")
    evaluate.add_argument("--view", type=int, default=1, metavar="V",
                          help="the view the representation is of (from 1; default 1)")
    evaluate.add_argument("--seed", type=int, default=0, metavar="S",
                          help="seed of the held-out split of the pairs (default 0)")
    evaluate.add_argument("--ceiling", action="store_true",
                          help="also train a supervised probe that reads each factor from the "
                               "view's images (the same rows), and print its held-out score "
                               "beside the representation's: what the pixels allow (needs "
                               "torch, identbox[baseline])")
    from ..evaluate.options import CEILING_EPOCHS

    evaluate.add_argument("--ceiling-epochs", type=int, default=CEILING_EPOCHS.default,
                          metavar="N", help=f"{CEILING_EPOCHS.description} "
                          f"({CEILING_EPOCHS.minimum:g} to {CEILING_EPOCHS.maximum:g}, default "
                          f"{CEILING_EPOCHS.default})")
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
    from ..evaluate.options import STEPS
    from ..evaluate.protocols import DEFAULT_PROTOCOL, PROTOCOLS

    baseline.add_argument("--protocol", choices=tuple(PROTOCOLS), default=DEFAULT_PROTOCOL,
                          help="whose encoders, loss, optimiser settings, length and readout: "
                               "IdentBox's CPU baseline (default), Daunhawer et al. 2023's "
                               "image/text script or von Kuegelgen et al. 2021's 3DIdent "
                               "script; the flags below change one setting of it")
    for spec in (EPOCHS, STEPS, BATCH_SIZE, CODE_SIZE, LEARNING_RATE, TEMPERATURE):
        baseline.add_argument(f"--{spec.name.replace('_', '-')}", default=None,
                              type=int if spec.is_integer else float,
                              help=f"{spec.description} (the protocol's; IdentBox's: "
                                   f"{spec.default})")
    baseline.add_argument("--seed", type=int, default=0, metavar="S",
                          help="seed of the split, the weights and the batches (default 0)")
    baseline.add_argument("--codes", metavar="FILE.npy",
                          help="also save the held-out pairs' codes (and FILE.rows.npy: their "
                               "pair indices)")
    baseline.add_argument("--ceiling", action="store_true",
                          help="also train a supervised probe on the training pairs' images "
                               "and print its held-out score per factor (as evaluate "
                               "--ceiling)")
    baseline.add_argument("--ceiling-epochs", type=int, default=CEILING_EPOCHS.default,
                          metavar="N", help=f"the probe's epochs (default "
                                            f"{CEILING_EPOCHS.default})")
    baseline.add_argument("--json", action="store_true", help="print the report as JSON")
    baseline.add_argument("--plot", metavar="FILE", help="also draw R² per factor")

    from ..evaluate.study import PART1

    study = commands.add_parser(
        "study", help="render presets, train the baseline on each and write one report",
        description="For each preset: render it at the size given, train the baseline, score "
                    "its codes with the data's ceiling beside them; then write OUT/report.md "
                    "(every factor by block type per dataset) and OUT/report.png. A study that "
                    "stops resumes: complete datasets are not drawn again, scored ones not "
                    "trained again. Needs identbox[baseline,evaluate].")
    study.add_argument("--presets", nargs="+", default=list(PART1), metavar="PRESET",
                       help="the presets (default: the six Part-1 datasets)")
    study.add_argument("--n-pairs", type=int, default=10_000, metavar="N",
                       help="pairs per dataset (default 10000)")
    study.add_argument("--resolution", type=int, default=32, metavar="PX",
                       help="image size (default 32)")
    study.add_argument("--samples", type=int, default=8, metavar="S",
                       help="Cycles samples per pixel (default 8)")
    study.add_argument("--epochs", type=int, default=EPOCHS.default, metavar="E",
                       help=f"the baseline's epochs (default {EPOCHS.default})")
    study.add_argument("--ceiling-epochs", type=int, default=CEILING_EPOCHS.default,
                       metavar="E", help=f"the probe's epochs (default {CEILING_EPOCHS.default})")
    study.add_argument("--protocol", choices=tuple(PROTOCOLS), default=DEFAULT_PROTOCOL,
                       help="the baseline's protocol (default identbox)")
    study.add_argument("--seed", type=int, default=0, metavar="S", help="seed (default 0)")
    study.add_argument("--workers", default="1", metavar="N|auto",
                       help="render workers (default 1)")
    study.add_argument("--out", required=True, metavar="DIR",
                       help="the study's folder: datasets/, results/, report.md, report.png")

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

    from ..dataset.export.formats import formats

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
                        help="; ".join(f"{f.name}: {f.description}" for f in formats().values()))
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
