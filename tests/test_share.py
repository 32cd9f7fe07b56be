"""Sharing a dataset (issue 19): a few rendered pairs exported as WebDataset shards and as a
Hugging Face dataset, read back with the webdataset and datasets libraries themselves and with
ExportedPairs (pixels and factors compared exactly with the folder dataset's), the Croissant
metadata validated and read by mlcroissant, an export cut short and resumed into the same shards,
a dataset with a missing image refused in one line, and validate on an export."""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from identbox.cli import main
from identbox.dataset import ExportedPairs, IdentBoxPairs
from identbox.dataset.checking.check import validate_dataset
from identbox.dataset.export.formats import dataset_folders, export_dataset
from identbox.dataset.export.share_export import PROGRESS, prepare_shared, write_shared
from identbox.dataset.export.webdataset_export import TAR_SHARDS

pytestmark = pytest.mark.blender
N_PAIRS = 5
OFFLINE = {"HF_DATASETS_OFFLINE": "1", "HF_HUB_OFFLINE": "1"}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Five pairs at 16 px with masks, in train/val splits (3 + 2), rendered once."""
    root = tmp_path_factory.mktemp("share")
    preset = json.loads((Path(__file__).resolve().parents[1] / "presets" /
                         "hues_positions_rotations.json").read_text())
    preset["masks"] = True
    (root / "masked.json").write_text(json.dumps(preset))
    out = subprocess.run([sys.executable, "-m", "identbox", "render", "--preset",
                          str(root / "masked.json"), "--splits", "train=3,val=2",
                          "--resolution", "16", "--samples", "1", "--out", "d"], cwd=root,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    return root / "d"


@pytest.fixture(scope="module")
def exports(rendered: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The rendered splits exported in both formats, two pairs per shard."""
    base = tmp_path_factory.mktemp("exports")
    for name in ("webdataset", "hf"):
        export_dataset(rendered, name, base / name, shard_pairs=2)
    return {name: base / name for name in ("webdataset", "hf")}


def folder_pixels(root: Path, kind: str, view: int, index: int) -> np.ndarray:
    folder = {"image": "samples", "mask": "masks"}[kind]
    with Image.open(root / folder / f"m{view}" / f"{index:06d}.png") as image:
        return np.asarray(image)


def test_webdataset_round_trip_with_the_webdataset_library(rendered: Path,
                                                           exports: dict[str, Path]) -> None:
    """Every pair of each split comes back from webdataset's own pipeline with the same pixels
    (images and masks, decoded as RGBA) and the same raw latents, bit for bit, in pair order."""
    import webdataset as wds

    out = exports["webdataset"]
    assert sorted(p.name for p in out.glob("*.tar")) == [
        "train-000000.tar", "train-000001.tar", "val-000000.tar"]
    for split, n in (("train", 3), ("val", 2)):
        shards = sorted(str(p) for p in out.glob(f"{split}-*.tar"))
        samples = list(wds.WebDataset(shards, shardshuffle=False).decode("pilrgba"))
        assert [s["__key__"] for s in samples] == [f"{i:06d}" for i in range(n)]
        for i, sample in enumerate(samples):
            for view in (1, 2):
                raw = np.load(rendered / split / f"factors/m{view}/raw_latents.npy")[i]
                assert np.array_equal(sample[f"m{view}.latents.npy"], raw)
                assert np.array_equal(np.asarray(sample[f"m{view}.png"]),
                                      folder_pixels(rendered / split, "image", view, i))
                assert np.array_equal(np.asarray(sample[f"m{view}.mask.png"].convert("L")),
                                      folder_pixels(rendered / split, "mask", view, i))


def test_hf_round_trip_with_the_datasets_library(rendered: Path, exports: dict[str, Path],
                                                 monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Path) -> None:
    """load_dataset("parquet") offline gives one split per IdentBox split, images as the Image
    feature with the same pixels, and each factor as a named float64 column equal to the
    latents."""
    import datasets

    for key, value in OFFLINE.items():
        monkeypatch.setenv(key, value)
    out = exports["hf"]
    files = {split: sorted(str(p) for p in (out / "data").glob(f"{split}-*.parquet"))
             for split in ("train", "val")}
    loaded = datasets.load_dataset("parquet", data_files=files, cache_dir=str(tmp_path))
    assert set(loaded) == {"train", "val"}
    train = loaded["train"]
    assert isinstance(train.features["m1_image"], datasets.Image)
    assert train.features["m2_pos_x"] == datasets.Value("float64")
    for split, n in (("train", 3), ("val", 2)):
        rows = loaded[split]
        assert rows["index"] == list(range(n))
        for view in (1, 2):
            raw = np.load(rendered / split / f"factors/m{view}/raw_latents.npy")
            assert np.array_equal(np.array(rows[f"m{view}_hue_object"]), raw[:, 7])
            for i in range(n):
                assert np.array_equal(np.asarray(rows[i][f"m{view}_image"]),
                                      folder_pixels(rendered / split, "image", view, i))
                assert np.array_equal(np.asarray(rows[i][f"m{view}_mask"]),
                                      folder_pixels(rendered / split, "mask", view, i))


@pytest.mark.parametrize("form", ["webdataset", "hf"])
def test_exported_pairs_give_the_folder_datasets_items(rendered: Path, exports: dict[str, Path],
                                                       form: str) -> None:
    """ExportedPairs gives IdentBoxPairs' items exactly: images, raw and Blender-unit latents,
    column choice."""
    for split in ("train", "val"):
        for options in ({}, {"units": "blender", "columns": ["hues", "pos_x"]}):
            ours = ExportedPairs(exports[form], split=split, tensors=False, **options)
            folder = IdentBoxPairs(rendered, split=split, tensors=False, **options)
            assert len(ours) == len(folder) and ours.column_names == folder.column_names
            for i in range(len(folder)):
                for a, b in zip(ours[i], folder[i], strict=True):
                    assert a.dtype == b.dtype and np.array_equal(a, b)


def test_a_text_view_is_shared_as_its_sentences(tmp_path: Path) -> None:
    """A dataset with a text view exports in both formats (the WebDataset export was a
    traceback: a sentence is not bytes), and every reader gives the folder's sentences: the
    webdataset library, the datasets library and ExportedPairs."""
    import datasets
    import webdataset as wds

    preset = json.loads((Path(__file__).resolve().parents[1] / "presets" /
                         "hues_positions_rotations.json").read_text())
    preset["views"] = [{}, {}, {"modality": "text"}]
    (tmp_path / "text.json").write_text(json.dumps(preset))
    out = subprocess.run([sys.executable, "-m", "identbox", "render", "--preset", "text.json",
                          "--n-pairs", "3", "--resolution", "16", "--samples", "1", "--out", "d"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    folder = IdentBoxPairs(tmp_path / "d", tensors=False)
    sentences = folder.sentences(3)
    assert len(sentences) == 3 and all(sentences)
    for form in ("webdataset", "hf"):
        assert main(["export", str(tmp_path / "d"), "--format", form, "--out",
                     str(tmp_path / form)]) == 0
        assert [check.ok for check in validate_dataset(tmp_path / form)].count(False) == 0
        assert [ExportedPairs(tmp_path / form, tensors=False)[i][0][2] for i in range(3)] == \
            sentences
    shards = sorted(str(p) for p in (tmp_path / "webdataset").glob("*.tar"))
    samples = list(wds.WebDataset(shards, shardshuffle=False).decode())
    assert [s["m3.txt"] for s in samples] == sentences
    rows = datasets.load_dataset("parquet", data_files=sorted(
        str(p) for p in (tmp_path / "hf" / "data").glob("*.parquet")),
        cache_dir=str(tmp_path / "cache"))["train"]
    assert rows["m3_text"] == sentences


@pytest.mark.parametrize("form", ["webdataset", "hf"])
def test_the_croissant_file_validates_and_lists_the_factors(rendered: Path,
                                                            exports: dict[str, Path],
                                                            form: str) -> None:
    """mlcroissant loads croissant.json (it raises on an invalid file) and its record set
    `factors` gives every pair of every split with its factors by name."""
    import mlcroissant

    metadata = mlcroissant.Dataset(jsonld=str(exports[form] / "croissant.json"))
    records = list(metadata.records("factors"))
    assert len(records) == N_PAIRS
    got = sorted((r["factors/index"], r["factors/m2_pos_y"]) for r in records)
    want = sorted((i, float(np.load(rendered / split / "factors/m2/raw_latents.npy")[i, 1]))
                  for split, n in (("train", 3), ("val", 2)) for i in range(n))
    assert [g[0] for g in got] == [w[0] for w in want]
    assert np.allclose([g[1] for g in got], [w[1] for w in want], rtol=0, atol=1e-15)


def test_the_card_has_the_hub_header_factor_table_and_checksums(rendered: Path,
                                                                exports: dict[str, Path]) -> None:
    """README.md: YAML header with licence, task and size categories and a config split per
    IdentBox split; the factor table; the command and the manifest's SHA-256."""
    from identbox.dataset.files.manifest import file_sha256

    card = (exports["hf"] / "README.md").read_text()
    header = card.split("---")[1]
    assert "license: cc-by-4.0" in header and "- n<1K" in header
    assert "  - split: val\n    path: data/val-*.parquet" in header
    assert "| 7 | `hue_object` | hues | content | content |" in card
    assert "python -m identbox reproduce manifests/SPLIT.json" in card
    assert file_sha256(rendered / "train" / "manifest.json") in card
    assert "path: train-*.tar" in (exports["webdataset"] / "README.md").read_text()


def test_an_export_cut_short_resumes_into_the_same_shards(rendered: Path,
                                                          exports: dict[str, Path],
                                                          tmp_path: Path) -> None:
    """Stopped after its first shard (and with a half-written shard left by a killed run),
    the export is unfinished, validate refuses it, and the same command resumes it into shards
    byte for byte those of an export never stopped."""
    out = tmp_path / "cut"
    prepared = [(prepare_shared(folder), name) for folder, name in dataset_folders(rendered)]
    written: list[Path] = []

    def stop_after_one(path: Path) -> None:
        written.append(path)
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_shared(prepared, out, 2, TAR_SHARDS, progress=stop_after_one)
    assert [p.name for p in written] == ["train-000000.tar"] and (out / PROGRESS).exists()
    assert not (out / "train-000001.tar").exists() and not (out / "README.md").exists()
    half = (exports["webdataset"] / "train-000001.tar").read_bytes()[:3000]
    (out / ".train-000001.tar.nohost.999999.tmp").write_bytes(half)  # as a kill leaves it
    os.utime(out / ".train-000001.tar.nohost.999999.tmp", (0, 0))
    assert main(["validate", str(out)]) == 2  # no index yet: one line, exit 2
    assert main(["export", str(rendered), "--format", "webdataset", "--out", str(out)]) == 0
    made = sorted(p.name for p in out.rglob("*") if p.is_file())
    assert made == sorted(p.name for p in exports["webdataset"].rglob("*") if p.is_file())
    for shard in exports["webdataset"].glob("*.tar"):
        assert (out / shard.name).read_bytes() == shard.read_bytes()
    # run again, the finished export is said to be complete
    assert main(["export", str(rendered), "--format", "webdataset", "--out", str(out)]) == 0


def test_a_dataset_with_a_missing_image_is_refused_in_one_line(
        rendered: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """One line naming the missing image, exit 2, nothing written, for both formats."""
    broken = tmp_path / "broken"
    shutil.copytree(rendered / "val", broken)
    (broken / "samples" / "m2" / "000001.png").unlink()
    for name in ("webdataset", "hf"):
        out = tmp_path / f"out-{name}"
        assert main(["export", str(broken), "--format", name, "--out", str(out)]) == 2
        said = capsys.readouterr().err
        assert said.count("\n") == 1 and "samples/m2/000001.png" in said, said
        assert "render it first" in said and not out.exists()
    assert main(["export", str(rendered), "--format", "multimodal3dident", "--out",
                 str(tmp_path / "x"), "--shard-pairs", "2"]) == 2
    assert "shard_pairs" in capsys.readouterr().err


@pytest.mark.parametrize("form", ["webdataset", "hf"])
def test_validate_checks_an_export(exports: dict[str, Path], tmp_path: Path, form: str) -> None:
    """validate passes a whole export and fails one whose shard changed or whose factors are
    not the manifest's latents."""
    checks = validate_dataset(exports[form])
    assert checks and all(c.ok for c in checks), [c for c in checks if not c.ok]
    assert any("factors are the manifest's latents" in c.name for c in checks)
    changed = tmp_path / "changed"
    shutil.copytree(exports[form], changed)
    shard = sorted(changed.rglob("train-00000*"))[0]
    shard.write_bytes(shard.read_bytes()[:-10] + b"0" * 10)
    failed = [c.name for c in validate_dataset(changed) if not c.ok]
    files = {"webdataset": 4, "hf": 3}[form]  # shards, factors/train.csv, manifests/train.json
    assert failed == [f"train: {files} files match the index"], failed
    assert main(["validate", str(changed)]) == 1


def test_factors_other_than_the_manifests_fail_validate(exports: dict[str, Path],
                                                        tmp_path: Path) -> None:
    """A shard rewritten with one latent changed (the index updated to match) fails the
    factors check: validate re-samples the latents rather than trusting the shards."""
    import tarfile

    from identbox.dataset.files.manifest import file_sha256

    out = tmp_path / "edited"
    shutil.copytree(exports["webdataset"], out)
    shard = out / "val-000000.tar"
    with tarfile.open(shard) as tar:
        members = [(m, tar.extractfile(m).read()) for m in tar.getmembers()]
    with tarfile.open(shard, "w") as tar:
        for member, data in members:
            if member.name == "000001.m1.latents.npy":
                array = np.load(io.BytesIO(data))
                array[0] += 1e-9
                buffer = io.BytesIO()
                np.save(buffer, array)
                data = buffer.getvalue()
            tar.addfile(member, io.BytesIO(data))
    index = json.loads((out / "identbox_export.json").read_text())
    entry = index["splits"]["val"]["shards"][0]
    entry.update(bytes=shard.stat().st_size, sha256=file_sha256(shard))
    (out / "identbox_export.json").write_text(json.dumps(index))
    failed = [c.name for c in validate_dataset(out) if not c.ok]
    assert failed == ["val: factors are the manifest's latents",  # croissant.json lists the
                      "croissant.json is the Croissant metadata this export writes (its "
                      "licence aside)"], failed  # shard's old SHA-256
