"""The command line: `python -m identbox COMMAND ...` (see `python -m identbox --help`).

Bad arguments or settings print one line and exit with status 2, having written nothing.
One module per group of commands: parser.py (the arguments), datasets.py (those that write
a dataset), cluster.py (slurm), tools.py (those that read one).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from ..errors import USER_ERRORS, DatasetChangedError, SettingsError, describe, is_bad_path
from .cluster import slurm_command
from .datasets import (
    DATASET_WRITERS,
    cube_settings,
    dataset_folder,
    reproduce,
    run,
    sample,
    settings_from_args,
)
from .parser import EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_USAGE, build_parser
from .tools import baseline, evaluate, export, list_presets, look, study, validate


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(arguments)
    try:
        if getattr(args, "out", None) is not None and not args.out.strip():
            raise SettingsError("out", args.out, "a folder for the dataset (an empty path would "
                                "write into the current folder)")
        if args.command in DATASET_WRITERS and getattr(args, "out", None) is not None:
            args.out = dataset_folder(args.out)
        if args.command == "presets":
            return list_presets()
        if args.command == "sample":
            return sample(args)
        if args.command == "render":
            return run(args, arguments, settings_from_args(args))
        if args.command == "cube":
            return run(args, arguments, cube_settings(args))
        if args.command == "reproduce":
            return reproduce(args, arguments)
        if args.command in ("contact-sheet", "plot-latents"):
            return look(args)
        if args.command == "slurm":
            return slurm_command(args)
        if args.command == "export":
            return export(args)
        if args.command == "evaluate":
            return evaluate(args)
        if args.command == "baseline":
            return baseline(args)
        if args.command == "study":
            return study(args)
        return validate(args)
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
