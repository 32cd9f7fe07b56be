"""The commands that read a dataset: presets, contact-sheet, plot-latents, evaluate, baseline,
validate and export."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..dataset.files.outputs import outside_dataset
from ..errors import (
    DatasetError,
    SettingsError,
)
from .datasets import log
from .parser import EXIT_FAILURE, SHEET_PAIRS, VALIDATE_SAMPLE


def list_presets() -> int:
    from ..presets import preset_descriptions

    descriptions = preset_descriptions()
    width = max(map(len, descriptions))
    for name, description in descriptions.items():
        print(f"{name:<{width}}  {description}")
    return 0


def look(args: argparse.Namespace) -> int:
    from ..dataset.sheets.sheets import contact_sheet

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


def evaluate(args: argparse.Namespace) -> int:
    """Score a representation file against a dataset's factors."""
    from ..evaluate.cli import evaluate_command

    return evaluate_command(args)


def baseline(args: argparse.Namespace) -> int:
    """Train and score the contrastive baseline."""
    from ..evaluate.cli import baseline_command

    return baseline_command(args, log)


def study(args: argparse.Namespace) -> int:
    """Render presets, train and score the baseline on each, write one report."""
    from ..evaluate.metrics import needs
    from ..evaluate.study import StudySettings, run_study

    settings = StudySettings(
        presets=tuple(args.presets), n_pairs=args.n_pairs, resolution=args.resolution,
        samples=args.samples, epochs=args.epochs, ceiling_epochs=args.ceiling_epochs,
        protocol=args.protocol, seed=args.seed, workers=args.workers)
    try:
        needs("sklearn")
        needs("torch", "baseline")
        needs("matplotlib")
    except ImportError as error:
        print(f"identbox: error: {error}", file=sys.stderr)
        return 1
    from . import main

    report = run_study(settings, args.out, main, log)
    print(report.read_text(), end="")
    log(f"study: wrote {report} and {report.with_suffix('.png')}")
    return 0


def validate(args: argparse.Namespace) -> int:
    import json

    from ..dataset.checking.check import validate_dataset

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


def export(args: argparse.Namespace) -> int:
    from ..dataset.export.formats import export_dataset

    outside_dataset(args.out, args.root)
    for folder in export_dataset(Path(args.root), args.format, Path(args.out),
                                 args.shard_pairs):
        print(f"wrote {folder} ({args.format})")
    return 0
