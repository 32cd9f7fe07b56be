"""Bad files a reader meets, and outputs aimed at a dataset's own files: `evaluate` and
`baseline` say so in one line naming the setting or file and what is allowed (exit status 2),
before any training and with nothing written; the loaders (IdentBoxPairs, IdentBoxSequence,
ExportedPairs) refuse a cut-short file when they open a dataset, instead of ending an epoch
early without a word. No Blender: the images are small fake PNGs."""

from __future__ import annotations

import io
import json
import os
import resource
import shutil
import subprocess
import sys
import tarfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from test_bad_inputs import tree

from identbox.dataset.loading.export_readers import ExportedPairs
from identbox.dataset.loading.loader import IdentBoxPairs
from identbox.dataset.loading.sequence_loader import IdentBoxSequence
from identbox.dataset.writing.sequence_writer import write_sequence
from identbox.dataset.writing.writer import write_latents
from identbox.errors import DatasetError
from identbox.presets import load_preset
from identbox.settings.kinds import settings_from_dict
from identbox.settings.sequence import SequenceSettings

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
    """A 120-pair dataset with fake images, smaller ones (40, 20, 4 and 3 pairs), a link into
    the first, and representations: good, complex, huge, cut short, sparse and a FIFO."""
    root = tmp_path_factory.mktemp("reads")
    _dataset(root / "ds", PAIRS)
    for n_pairs in (40, 20, 4, 3):
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
    ("evaluate a folder", ["evaluate", "ds", "--representations", "ds"],
     "ds is not a regular file"),
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
    ("baseline of 3 pairs", ["baseline", "ds3", "--epochs", "1"], "at least 23 pairs"),
    ("baseline of 4 pairs", ["baseline", "ds4", "--epochs", "1"], "at least 23 pairs"),
    ("baseline of 20 pairs, before training", ["baseline", "ds20", "--epochs", "1"],
     "ds20 has 20 pairs"),
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


def test_a_short_sentences_file_is_refused_when_the_pairs_open(tmp_path: Path) -> None:
    root = _dataset(tmp_path / "text", 3, (1,), views=[{}, {"modality": "text"}])
    sentences = root / "samples" / "m2" / "sentences.txt"
    sentences.write_text(sentences.read_text().splitlines()[0] + "\n")
    for text in ("str", "ids"):
        with pytest.raises(DatasetError, match=r"sentences.txt holds 1 sentence; the dataset "
                                               r"has 3 pairs"):
            IdentBoxPairs(root, tensors=False, text=text)


def test_a_short_targets_file_is_refused_when_the_pairs_open(tmp_path: Path) -> None:
    content = {"type": "content"}  # an intervention's blocks
    root = _dataset(tmp_path / "intervened", 5, intervention={
        "mode": "counterfactual", "targets": "random", "probability": 0.3},
        blocks={"positions": content, "rotations": content, "hues": content})
    targets = root / "factors" / "interventions.npy"
    np.save(targets, np.load(targets)[:3])
    with pytest.raises(DatasetError, match=r"interventions.npy holds 3 rows; the dataset has 5"):
        IdentBoxPairs(root, tensors=False, targets=True)


def test_a_short_interventions_file_is_refused_when_the_sequence_opens(tmp_path: Path) -> None:
    settings = load_preset("temporal_causal3dident").replace(n_frames=100, n_triplets=0)
    assert isinstance(settings, SequenceSettings)
    write_sequence(settings, tmp_path / "seq")
    interventions = tmp_path / "seq" / "factors" / "interventions.npy"
    np.save(interventions, np.load(interventions)[:80])
    with pytest.raises(DatasetError, match=r"interventions.npy holds 80 rows; the sequence "
                                           r"has 100 frames"):
        IdentBoxSequence(tmp_path / "seq", tensors=False)
    interventions.unlink()
    with pytest.raises(DatasetError, match=r"interventions.npy is missing"):
        IdentBoxSequence(tmp_path / "seq", tensors=False)


@pytest.fixture(scope="module")
def exports(place: Path) -> dict[str, Path]:
    """The 40-pair dataset exported in shards of 10 pairs, as webdataset and as hf."""
    found = {}
    for export_format in ("webdataset", "hf"):
        done = identbox(place, "export", "ds40", "--format", export_format, "--out",
                        f"export_{export_format}", "--shard-pairs", "10")
        assert done.returncode == 0, done.stderr
        found[export_format] = place / f"export_{export_format}"
    return found


@pytest.mark.parametrize("export_format", ["webdataset", "hf"])
def test_an_export_whose_index_lost_its_last_shard_is_refused(exports: dict[str, Path],
                                                             export_format: str,
                                                             tmp_path: Path) -> None:
    root = tmp_path / "export"
    shutil.copytree(exports[export_format], root)
    assert len(ExportedPairs(root, tensors=False)) == 40  # whole, it opens
    index = json.loads((root / "identbox_export.json").read_text())
    index["splits"]["train"]["shards"].pop()
    (root / "identbox_export.json").write_text(json.dumps(index))
    with pytest.raises(DatasetError, match=r"shards hold 30 pairs; the index says 40"):
        ExportedPairs(root, tensors=False)


@pytest.mark.parametrize("export_format", ["webdataset", "hf"])
def test_an_export_that_lost_a_shard_file_is_refused(exports: dict[str, Path],
                                                    export_format: str, tmp_path: Path) -> None:
    root = tmp_path / "export"
    shutil.copytree(exports[export_format], root)
    shard = sorted(p for p in root.rglob("train-*") if p.is_file())[-1]
    shard.unlink()
    with pytest.raises(DatasetError, match=rf"{shard.name} is missing"):
        ExportedPairs(root, tensors=False)


def _cut_short_shard(path: Path, pairs: range) -> None:
    """Keep only `pairs` of a shard: tar members by their key, Parquet rows by position."""
    if path.suffix == ".tar":
        with tarfile.open(path) as tar:
            kept = [(m, tar.extractfile(m).read())  # type: ignore[union-attr]
                    for m in tar if int(m.name.partition(".")[0]) in pairs]
        with tarfile.open(path, "w") as tar:
            for member, data in kept:
                tar.addfile(member, io.BytesIO(data))
        return
    import pyarrow.parquet as parquet

    table = parquet.read_table(path)
    parquet.write_table(table.slice(0, len(pairs)), path)


@pytest.mark.parametrize("export_format", ["webdataset", "hf"])
def test_an_export_with_a_cut_short_shard_is_refused(exports: dict[str, Path],
                                                     export_format: str, tmp_path: Path) -> None:
    root = tmp_path / "export"
    shutil.copytree(exports[export_format], root)
    shard = sorted(p for p in root.rglob("train-*") if p.is_file())[-1]
    _cut_short_shard(shard, range(30, 35))
    with pytest.raises(DatasetError, match=rf"{shard.name} holds 5 pairs; the index lists 10"):
        ExportedPairs(root, tensors=False)
