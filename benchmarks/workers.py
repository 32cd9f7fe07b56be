"""Pairs/s of `render --workers N`: several Blender processes sharing one shard on one machine.

Each row is one real `python -m identbox render --workers N` run, as a user starts it. It
prints the wall time (Blender's start-up included) and the steady rate: pairs completed per
second between the first and the last image written, start-up excluded. The files of every
row are checked to equal the one-worker row's. CPU rows measure 1 and 2 workers; GPU rows 1,
2, 4 and 8 with --gpu, else they say "not measured (no GPU)".
Usage: python benchmarks/workers.py [--pairs N] [--resolution PX] [--samples N] [--gpu]
       [--quick]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CPU_WORKERS = (1, 2)
GPU_WORKERS = (1, 2, 4, 8)
QUICK = {"pairs": 6, "resolution": 16, "samples": 1}
HEADER = (f"{'device':<6} {'workers':>7} {'px':>4} {'spp':>4} {'pairs':>6} {'wall s':>7} "
          f"{'pairs/s':>8} {'x 1 worker':>10}")


def files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def measure(device: str, workers: int, args: argparse.Namespace, out: Path) -> dict[str, float]:
    """One render run; its wall time and steady pairs/s (from the images' times)."""
    command = [sys.executable, "-m", "identbox", "render", "--n-pairs", str(args.pairs),
               "--resolution", str(args.resolution), "--samples", str(args.samples),
               "--seed", "11", "--device", device, "--workers", str(workers), "--out", str(out)]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip().splitlines()[-1] if done.stderr else "failed")
    finished = sorted(p.stat().st_mtime for p in out.glob("samples/m2/*"))  # a pair's last
    span = finished[-1] - finished[0]
    steady = (len(finished) - 1) / span if span > 0 else float("nan")
    return {"wall": wall, "pairs_per_s": steady}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=60, help="pairs per row")
    parser.add_argument("--resolution", type=int, default=64)
    parser.add_argument("--samples", type=int, default=4)
    parser.add_argument("--gpu", action="store_true", help="also the GPU rows (1, 2, 4, 8)")
    parser.add_argument("--quick", action="store_true",
                        help=f"{QUICK['pairs']} pairs at {QUICK['resolution']} px, 1 sample: "
                             "seconds (what the tests run)")
    args = parser.parse_args()
    if args.quick:
        vars(args).update(QUICK)

    rows = [("cpu", "CPU", n) for n in CPU_WORKERS]
    rows += [("gpu", "GPU", n) for n in GPU_WORKERS]
    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        one: dict[str, tuple[float, dict[str, bytes]]] = {}
        for device, label, workers in rows:
            prefix = (f"{label:<6} {workers:>7} {args.resolution:>4} {args.samples:>4} "
                      f"{args.pairs:>6}")
            if device == "gpu" and not args.gpu:
                lines.append(f"{prefix}  not measured (no GPU)")
                continue
            out = Path(tmp) / f"{device}-{workers}"
            try:
                result = measure(device, workers, args, out)
            except RuntimeError as error:
                lines.append(f"{prefix}  failed: {error}")
                continue
            written = files(out)
            first = one.setdefault(label, (result["pairs_per_s"], written))
            if written != first[1]:
                raise SystemExit(f"{label} with {workers} workers wrote other files than one "
                                 "worker: a bug")
            lines.append(f"{prefix} {result['wall']:>7.1f} {result['pairs_per_s']:>8.2f} "
                         f"{result['pairs_per_s'] / first[0]:>9.2f}x")
            print(lines[-1], file=sys.stderr, flush=True)  # as it goes, for long runs
    print(f"IdentBox workers benchmark: `render --workers N`, {os.cpu_count()} CPUs; pairs/s "
          "between the first and the last image (start-up excluded); files equal one worker's")
    print(HEADER)
    for line in lines:
        print(line)


if __name__ == "__main__":
    main()
