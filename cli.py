"""The command line: `python -m identbox COMMAND ...` (see `python -m identbox --help`).

Bad arguments or settings print one line and exit with status 2, having written nothing.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import NoReturn

from .errors import DatasetError, SettingsError
from .settings import N_PAIRS, SEED
from .version import __version__

EXIT_USAGE = 2

DESCRIPTION = """\
IdentBox: benchmark image-pair datasets from controlled ground-truth factors.

A dataset is a list of pairs (view 1, view 2) of one scene. Its ten latent factors
(positions, rotations, hues) are grouped in blocks; each block is content (equal in both
views), style (redrawn around view 1 in view 2) or view-specific. Latents are sampled once,
with a seed, and stored in the published 3DIdentBox layout:

  DIR/factors/m1/latents.npy      view 1, Blender units (N x 10, float64)
  DIR/factors/m1/raw_latents.npy  view 1, raw values in [-1, 1]
  DIR/factors/m2/...              view 2
  DIR/manifest.json               settings, seed, column names and meaning, versions
"""

EPILOG = """\
examples:
  python -m identbox presets
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


def _build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m identbox", description=DESCRIPTION, epilog=EPILOG,
                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"identbox {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True

    commands.add_parser("presets", help="list the bundled presets and what each one is")

    sample = commands.add_parser(
        "sample", help="sample a dataset's latents and write factors/ and manifest.json",
        description="Sample the latents of N pairs and write them, with the manifest, into DIR.")
    sample.add_argument("--preset", default="hues_positions_rotations", metavar="NAME|FILE",
                        help="preset name, settings JSON file or manifest.json "
                             "(default: hues_positions_rotations)")
    sample.add_argument("--n-pairs", type=int, metavar="N",
                        help=f"{N_PAIRS.description} ({N_PAIRS.range_text()}; "
                             "default: the preset's)")
    sample.add_argument("--seed", type=int, metavar="S",
                        help=f"{SEED.description} ({SEED.range_text()}; "
                             "default: the preset's)")
    sample.add_argument("--out", required=True, metavar="DIR", help="dataset folder to write")
    return parser


def _list_presets() -> int:
    from .presets import preset_descriptions

    descriptions = preset_descriptions()
    width = max(map(len, descriptions))
    for name, description in descriptions.items():
        print(f"{name:<{width}}  {description}")
    return 0


def _sample(args: argparse.Namespace) -> int:
    from .dataset.writer import write_latents
    from .presets import load_preset

    settings = load_preset(args.preset)
    changes = {k: v for k, v in (("n_pairs", args.n_pairs), ("seed", args.seed)) if v is not None}
    if changes:
        settings = settings.replace(**changes)
    result = write_latents(settings, args.out)
    if result.status == "unchanged":
        print(f"{result.root}: already holds these latents ({settings.n_pairs} pairs, "
              f"seed {settings.seed}); nothing written")
    else:
        print(f"{result.root}: wrote latents of {settings.n_pairs} pairs "
              f"({settings.name}, seed {settings.seed}) and manifest.json")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _build_parser().parse_args(argv)
    try:
        if args.command == "presets":
            return _list_presets()
        return _sample(args)
    except SettingsError as error:
        print(f"identbox: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except DatasetError as error:
        print(f"identbox: error: {error}", file=sys.stderr)
        return EXIT_USAGE
