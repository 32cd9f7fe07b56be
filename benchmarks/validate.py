"""validate speed: a 10,000-pair dataset checked end to end (target: under a minute).

The latents are sampled for real; the 20,000 images are copies of one rendered frame (the
check reads every file's end marker and decodes a sample, so the pixels do not change the
time). Prints the median of a few runs and the time per 1,000 pairs.
Usage: python benchmarks/validate.py [--pairs N] [--repeats R] [--quick]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from identbox.dataset.checking.validate import validate_pairs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="50 pairs, once (what the tests run)")
    args = parser.parse_args()
    if args.quick:
        args.pairs, args.repeats = 50, 1
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "d"
        one = Path(tmp) / "one"
        subprocess.run([sys.executable, "-m", "identbox", "render", "--n-pairs", "1",
                        "--samples", "1", "--out", str(one)], check=True, capture_output=True)
        subprocess.run([sys.executable, "-m", "identbox", "sample", "--n-pairs",
                        str(args.pairs), "--out", str(root)], check=True, capture_output=True)
        frame = one / "samples" / "m1" / "000000.png"
        for view in ("m1", "m2"):
            folder = root / "samples" / view
            folder.mkdir(parents=True)
            for i in range(args.pairs):
                shutil.copyfile(frame, folder / f"{i:06d}.png")
        times = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            checks = validate_pairs(root)
            times.append(time.perf_counter() - start)
    median = statistics.median(times)
    print(f"validate: {args.pairs:,} pairs, {len(checks)} checks, median of {args.repeats}: "
          f"{median:.2f} s ({1000 * median / args.pairs:.3f} s per 1,000 pairs; "
          f"target < 60 s for 10,000)")


if __name__ == "__main__":
    main()
