"""Export speed and size: a dataset of 10,000 pairs exported as WebDataset shards and as a
Hugging Face dataset (pairs/s, bytes per pair), against the folder layout (its files and bytes
on disk), and the bytes per pair of a few pairs rendered at 224 px, extrapolated to a
published-size dataset (250,000 / 10,000 / 10,000 pairs).

The latents are sampled for real; every pair's images are copies of one rendered 16 px frame
(the export copies PNG bytes, so their pixels do not change the time).
Usage: python benchmarks/share.py [--pairs N] [--quick]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from identbox.dataset.export.formats import export_dataset

PUBLISHED_PAIRS = 250_000 + 10_000 + 10_000


def disk_bytes(root: Path) -> tuple[int, int, int]:
    """(files, bytes, bytes the file system allocates) under `root`."""
    files = [p for p in root.rglob("*") if p.is_file()]
    return (len(files), sum(p.stat().st_size for p in files),
            sum(p.stat().st_blocks * 512 for p in files))


def identbox(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "identbox", *args], check=True, capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=10_000)
    parser.add_argument("--size-pairs", type=int, default=4, help="pairs rendered at 224 px")
    parser.add_argument("--quick", action="store_true",
                        help="200 pairs, 1 pair at 32 px (what the tests run)")
    args = parser.parse_args()
    resolution, samples = 224, 64
    if args.quick:
        args.pairs, args.size_pairs, resolution, samples = 200, 1, 32, 1
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        identbox("render", "--n-pairs", "1", "--resolution", "16", "--samples", "1",
                 "--out", str(base / "one"))
        root = base / "d"
        identbox("sample", "--n-pairs", str(args.pairs), "--resolution", "16",
                 "--out", str(root))
        frame = base / "one" / "samples" / "m1" / "000000.png"
        for view in ("m1", "m2"):
            folder = root / "samples" / view
            folder.mkdir(parents=True)
            for i in range(args.pairs):
                shutil.copyfile(frame, folder / f"{i:06d}.png")
        files, size, allocated = disk_bytes(root)
        print(f"share: {args.pairs:,} pairs at 16 px")
        print(f"{'layout':<12} {'files':>8} {'pairs/s':>9} {'B/pair':>9} {'on disk B/pair':>15}")
        print(f"{'folder':<12} {files:>8,} {'-':>9} {size / args.pairs:>9,.0f} "
              f"{allocated / args.pairs:>15,.0f}")
        for name in ("webdataset", "hf"):
            start = time.perf_counter()
            export_dataset(root, name, base / name)
            seconds = time.perf_counter() - start
            files, size, allocated = disk_bytes(base / name)
            print(f"{name:<12} {files:>8,} {args.pairs / seconds:>9,.0f} "
                  f"{size / args.pairs:>9,.0f} {allocated / args.pairs:>15,.0f}")
        print()
        big = base / "big"
        identbox("render", "--n-pairs", str(args.size_pairs), "--resolution", str(resolution),
                 "--samples", str(samples), "--out", str(big))
        _, folder_size, _ = disk_bytes(big / "samples")
        export_dataset(big, "webdataset", base / "big-wds", shard_pairs=args.size_pairs)
        shard = sum(p.stat().st_size for p in (base / "big-wds").glob("*.tar"))
        per_pair = shard / args.size_pairs
        print(f"at {resolution} px ({samples} samples, {args.size_pairs} pairs): "
              f"{folder_size / args.size_pairs:,.0f} B of images per pair, "
              f"{per_pair:,.0f} B per pair in shards")
        print(f"published size ({PUBLISHED_PAIRS:,} pairs): {per_pair * PUBLISHED_PAIRS / 1e9:.1f} "
              f"GB in {-(-PUBLISHED_PAIRS // 1000):,} shards of 1,000 pairs, against "
              f"{2 * PUBLISHED_PAIRS:,} image files in the folder layout")
        print(f"cpu count {os.cpu_count()}")


if __name__ == "__main__":
    main()
