"""Bad files a reader meets, and outputs aimed at a dataset's own files: `evaluate` and
`baseline` say so in one line naming the setting or file and what is allowed (exit status 2),
before any training and with nothing written. No Blender: the images are small fake PNGs."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from test_bad_inputs import tree

from identbox.dataset.writer import write_latents
from identbox.settings.kinds import settings_from_dict

PAIRS = 120  # the fewest the baseline takes is 113: 23 held out, of which 5 scored on


def _dataset(root: Path, n_pairs: int, image_views: tuple[int, ...] = (1, 2),
             **extra: object) -> Path:
    """A sampled pair dataset; its image views get 16-px noise PNGs instead of renders (a
    text view's sentences are written with the latents)."""
    settings = settings_from_dict({"name": "bad_reads", "n_pairs": n_pairs, "seed": 3,
                                   "render": {"resolution": 16}, **extra})
    write_latents(settings, root)
    rng = np.random.default_rng(n_pairs)
    for view in image_views:
        folder = root / "samples" / f"m{view}"
        folder.mkdir(parents=True, exist_ok=True)
        for index in range(n_pairs):
            image = rng.integers(0, 256, (16, 16, 3), dtype=np.uint8)
            Image.fromarray(image).save(folder / f"{index:06d}.png")
    return root


def _header_only(path: Path, shape: tuple[int, ...], data_bytes: int) -> None:
    """A float64 .npy file declaring `shape` and holding `data_bytes` of data (sparse)."""
    with path.open("wb") as handle:
        np.lib.format.write_array_header_1_0(handle, {"descr": "<f8", "fortran_order": False,
                                                      "shape": shape})
        handle.truncate(handle.tell() + data_bytes)


@pytest.fixture(scope="module")
def place(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 120-pair dataset with fake images, smaller ones (40, 4 and 3 pairs), a link into
    the first, and representations: good, complex, huge, cut short, sparse and a FIFO."""
    root = tmp_path_factory.mktemp("reads")
    _dataset(root / "ds", PAIRS)
    for n_pairs in (40, 4, 3):
        _dataset(root / f"ds{n_pairs}", n_pairs)
    (root / "link").symlink_to(root / "ds" / "samples" / "m1")
    codes = np.random.default_rng(0).normal(size=(PAIRS, 4))
    np.save(root / "r.npy", codes)
    np.save(root / "complex.npy", codes + 1j)
    np.save(root / "huge.npy", codes * 1e300)
    _header_only(root / "short.npy", (PAIRS, 4), 100)
    _header_only(root / "sparse.npy", (PAIRS, 10**7), PAIRS * 10**7 * 8)
    os.mkfifo(root / "fifo.npy")
    return root


def identbox(place: Path, *args: str, limit: Callable[[], None] | None = None,
             ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "identbox", *args], cwd=place, text=True,
                          capture_output=True, timeout=120, preexec_fn=limit)


def _four_gib() -> None:
    """At most 4 GiB of address space: a reader that would take 9.6 GB fails, not the machine."""
    resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))


# (arguments, words the one line must hold). {p} is the fixture's folder. Exit status 2 each.
CASES: list[tuple[str, list[str], str]] = [
    ("evaluate --plot onto a dataset image",
     ["evaluate", "ds", "--representations", "r.npy", "--plot", "ds/samples/m1/000000.png"],
     "plot = 'ds/samples/m1/000000.png' is not allowed: a path outside the dataset"),
    ("evaluate --plot through a link into the dataset",
     ["evaluate", "ds", "--representations", "r.npy", "--plot", "link/000001.png"],
     "plot = 'link/000001.png' is not allowed: a path outside the dataset"),
    ("baseline --codes onto the dataset's latents",
     ["baseline", "ds", "--epochs", "1", "--codes", "ds/factors/m1/raw_latents.npy"],
     "codes = 'ds/factors/m1/raw_latents.npy' is not allowed: a path outside the dataset"),
    ("baseline --plot onto a dataset image",
     ["baseline", "ds", "--epochs", "1", "--plot", "ds/samples/m2/000003.png"],
     "plot = 'ds/samples/m2/000003.png' is not allowed: a path outside the dataset"),
    ("evaluate a FIFO", ["evaluate", "ds", "--representations", "fifo.npy"],
     "fifo.npy is not a regular file"),
    ("evaluate a sparse 9.6 GB file", ["evaluate", "ds", "--representations", "sparse.npy"],
     "at most 1 GiB"),
    ("evaluate a file shorter than its header says",
     ["evaluate", "ds", "--representations", "short.npy"], "holds only 100 bytes"),
    ("evaluate complex representations",
     ["evaluate", "ds", "--representations", "complex.npy"],
     "--representations complex.npy = 'a complex128 array' is not allowed: real numbers"),
    ("evaluate representations of 1e300",
     ["evaluate", "ds", "--representations", "huge.npy"], "--representations huge.npy"),
    ("evaluate --seed -1", ["evaluate", "ds", "--representations", "r.npy", "--seed", "-1"],
     "seed = -1 is not allowed: an integer in [0, 4294967295]"),
    ("evaluate --seed 2**70",
     ["evaluate", "ds", "--representations", "r.npy", "--seed", str(2**70)],
     f"seed = {2**70} is not allowed"),
    ("evaluate --part independent of pairs",
     ["evaluate", "ds", "--representations", "r.npy", "--part", "independent"],
     "part = 'independent' is not allowed: frames"),
    ("baseline --seed -1", ["baseline", "ds", "--epochs", "1", "--seed", "-1"],
     "seed = -1 is not allowed"),
    ("baseline of 3 pairs", ["baseline", "ds3", "--epochs", "1"], "at least 113 pairs"),
    ("baseline of 4 pairs", ["baseline", "ds4", "--epochs", "1"], "at least 113 pairs"),
    ("baseline of 40 pairs, before training", ["baseline", "ds40", "--epochs", "1"],
     "ds40 has 40 pairs"),
    ("baseline --codes in a folder that does not exist, before training",
     ["baseline", "ds", "--epochs", "1", "--codes", "/nonexistent/c.npy"],
     "codes = '/nonexistent/c.npy' is not allowed: a file in an existing folder"),
]

LIMITED = {"evaluate a sparse 9.6 GB file"}  # run with 4 GiB of address space


@pytest.mark.parametrize(("arguments", "words"), [
    pytest.param(*case[1:], id=case[0]) for case in CASES])
def test_a_bad_read_or_output_is_one_line_and_writes_nothing(place: Path, arguments: list[str],
                                                             words: str,
                                                             request: pytest.FixtureRequest,
                                                             ) -> None:
    before = tree(place)
    limit = _four_gib if request.node.callspec.id in LIMITED else None
    done = identbox(place, *(a.format(p=place) for a in arguments), limit=limit)
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode == 2, done.stderr
    assert len(lines) == 1 and lines[0].startswith("identbox: error: "), done.stderr
    assert words in lines[0], lines[0]
    assert done.stdout == "", done.stdout
    assert tree(place) == before, "something was written"
