"""`evaluate` and `baseline` on the command line: read the arguments' files, run, print the
table (or JSON) and draw the plot if asked. A missing extra (scikit-learn, matplotlib, torch)
is one line naming it, exit status 1."""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..dataset.files.manifest import is_sequence, read_any_manifest, read_npy
from ..dataset.files.outputs import outside_dataset
from ..errors import DatasetError, SettingsError
from .report import Report, evaluate, table

EXIT_MISSING = 1
# The most a --representations file may hold: it is read whole, then copied as float64.
REPRESENTATION_BYTES = 1 << 30


def _missing(error: ImportError) -> int:
    print(f"identbox: error: {error}", file=sys.stderr)
    return EXIT_MISSING


def _output(path: str, root: str, setting: str) -> Path:
    """A file a command writes once its work is done, checked before that work: outside the
    dataset, not a folder, in an existing folder it can write; SettingsError otherwise."""
    out = outside_dataset(path, root, setting)
    if out.is_dir():
        raise SettingsError(setting, path, "a file name, not a folder")
    if not out.parent.is_dir():
        raise SettingsError(setting, path, "a file in an existing folder")
    if not os.access(out.parent, os.W_OK):
        raise SettingsError(setting, path, "a file in a folder you can write")
    return out


def _codes_paths(codes: str, root: str) -> tuple[Path, Path]:
    """Where --codes writes the codes (np.save's name: .npy added) and their pair indices."""
    named = codes if codes.endswith(".npy") else codes + ".npy"
    return (_output(named, root, "codes"),
            _output(str(Path(codes).with_suffix(".rows.npy")), root, "codes"))


def _save(path: Path, array: np.ndarray) -> None:
    """An array as a .npy file, whole or not at all."""
    from ..dataset.writing.writer import atomic_write_bytes

    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    atomic_write_bytes(path, buffer.getvalue())


def _show(report: Report, as_json: bool, plot: str | None, extra: dict[str, object]) -> None:
    from .plots import plot_scores

    if plot:
        plot_scores(report, plot)
    if as_json:
        print(json.dumps({**report.to_dict(), **extra}, indent=2))
    else:
        print(table(report))
        if plot:
            print(f"wrote {plot}")


def rows_file(representations: str, rows: str | None) -> Path | None:
    """The --rows file, or the `.rows.npy` that `baseline --codes` writes beside its codes."""
    if rows:
        return Path(rows)
    beside = Path(representations).with_suffix(".rows.npy")
    return beside if beside.is_file() else None


def evaluate_command(args: argparse.Namespace) -> int:
    """identbox evaluate DATASET --representations FILE.npy [--rows FILE.npy] [--view V]
    [--json] [--plot F]."""
    from .plots import check_format

    try:
        if args.plot:
            check_format(args.plot, "plot")
            _output(args.plot, args.root, "plot")
        codes = read_npy(args.representations, REPRESENTATION_BYTES)
        rows_path = rows_file(args.representations, args.rows)
        rows = None if rows_path is None else read_npy(str(rows_path), REPRESENTATION_BYTES)
        if rows_path is not None and not args.json:
            print(f"rows: the pairs listed in {rows_path}")
        try:
            report = evaluate(Path(args.root), codes, view=args.view, rows=rows,
                              seed=args.seed, part=args.part,
                              ceiling_epochs=args.ceiling_epochs if args.ceiling else 0,
                              log=lambda line: print(line, file=sys.stderr))
        except SettingsError as error:
            if error.setting not in ("representations", "rows"):
                raise
            flag = ("--representations", args.representations) if (
                error.setting == "representations") else ("--rows", str(rows_path))
            raise SettingsError(" ".join(flag), error.value, error.allowed) from None
        _show(report, args.json, args.plot, {"root": args.root})
    except ImportError as error:
        return _missing(error)
    return 0


def baseline_command(args: argparse.Namespace, log: Callable[[str], None]) -> int:
    """identbox baseline DATASET [--epochs N] ...: train, encode the held-out pairs, score."""
    from .options import options_for
    from .plots import check_format

    try:
        if args.plot:
            check_format(args.plot, "plot")
            _output(args.plot, args.root, "plot")
        codes_paths = _codes_paths(args.codes, args.root) if args.codes else None
        options = options_for(
            args.protocol, views=tuple(args.views), epochs=args.epochs, steps=args.steps,
            batch_size=args.batch_size, code_size=args.code_size,
            learning_rate=args.learning_rate, temperature=args.temperature, seed=args.seed)
        if not (Path(args.root) / "manifest.json").exists():
            raise DatasetError(f"{args.root} has no manifest.json: not an IdentBox dataset")
        if is_sequence(read_any_manifest(Path(args.root) / "manifest.json")):
            raise DatasetError(f"{args.root} holds a sequence: the baseline trains on pairs "
                               "(score a sequence's codes with evaluate)")
        from .baseline import train_baseline

        result = train_baseline(Path(args.root), options, log,
                                ceiling_epochs=args.ceiling_epochs if args.ceiling else 0)
    except ImportError as error:
        return _missing(error)
    if codes_paths:
        _save(codes_paths[0], result.codes)
        _save(codes_paths[1], result.held_out)
    log(f"baseline: trained and encoded in {result.seconds:.1f} s; final loss "
        f"{result.losses[-1]:.3f}")
    try:
        _show(result.report, args.json, args.plot,
              {"root": args.root, "seconds": result.seconds, "losses": result.losses})
    except ImportError as error:
        return _missing(error)
    return 0
