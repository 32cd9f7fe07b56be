"""Sampling speed: 250,000 pairs for each preset, on one core (target: under 1 s per preset).
A sequence preset samples its frames one step after another: it is timed on at most the
reference's 10,000 frames, its rate is frames/s, and the pairs target does not apply ("seq").

Prints a table of median seconds over repeats, with each preset's ratio to a floor measured in
the same run (drawing the same number of plain uniforms), so numbers from noisy machines compare.
Every preset, of either kind, is sampled as a dataset job samples it (`sample_pairs`).
Usage: python benchmarks/sampling.py [--pairs N] [--repeats R] [--quick]
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import statistics  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402

import numpy as np  # noqa: E402

from identbox.dataset.writing.sequence_writer import sequence_arrays  # noqa: E402
from identbox.presets import load_preset, preset_names  # noqa: E402
from identbox.settings.kinds import kind_of  # noqa: E402
from identbox.settings.objects import sample_pairs  # noqa: E402

TARGET_SECONDS = 1.0
TARGET_PAIRS = 250_000
QUICK_PAIRS = 200
SEQUENCE_FRAMES = 10_000  # the reference's sequence length


def median_seconds(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=TARGET_PAIRS)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--quick", action="store_true",
                        help=f"{QUICK_PAIRS} pairs, one repeat: seconds (what the tests run)")
    args = parser.parse_args()
    if args.quick:
        args.pairs, args.repeats = QUICK_PAIRS, 1
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core

    n = args.pairs
    floor = median_seconds(lambda: np.random.default_rng(0).random((2, n, 10)), args.repeats)
    print(f"{n:,} pairs per preset, median of {args.repeats}, one core, numpy {np.__version__}")
    print(f"floor (2 x {n:,} x 10 plain uniforms): {floor:.3f} s\n")
    print(f"{'preset':<32} {'seconds':>8} {'pairs/s':>12} {'x floor':>8} {'target':>7}")
    worst = 0.0
    for name in preset_names():
        settings = load_preset(name)
        if kind_of(settings).count != "n_pairs":  # frames, one step after another
            count = min(n, SEQUENCE_FRAMES)
            settings = settings.replace(n_frames=count, seed=0)
            seconds = median_seconds(lambda s=settings: sequence_arrays(s), args.repeats)
            verdict = "seq"
        else:
            count = n
            settings = settings.replace(n_pairs=n, seed=0)
            seconds = median_seconds(lambda s=settings: sample_pairs(s), args.repeats)
            worst = max(worst, seconds)
            verdict = "-" if n != TARGET_PAIRS else "ok" if seconds < TARGET_SECONDS else "SLOW"
        print(f"{name:<32} {seconds:>8.3f} {count / seconds:>12,.0f} {seconds / floor:>8.1f} "
              f"{verdict:>7}")
    print(f"\nslowest preset: {worst:.3f} s (target < {TARGET_SECONDS:.0f} s for "
          f"{TARGET_PAIRS:,} pairs)")


if __name__ == "__main__":
    main()
