"""Bad exports (issue 27, second pass), as a user meets them on the command line: a killed or
doubled export, a mount point, a finished export run again, a garbled progress file, names that
would write into the dataset card, full disks, and `validate` of an export that was damaged,
added to or edited (with its index recomputed to match). Every case is one line or a FAIL, the
exit status says whose fault it is, and nothing half-written stays behind.

The datasets are sampled by IdentBox and given stand-in images drawn from their own latents (the
ground's colour, the object's colour as a disc at its projected centre; view 2's object lifted
from zero as Rubber is), so no test here starts Blender."""

from __future__ import annotations

import io
import json
import shutil
import signal
import subprocess
import sys
import tarfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageOps
from test_bad_inputs import tree

from identbox.cli import main
from identbox.dataset.export.card import dataset_card
from identbox.dataset.export.croissant import croissant_metadata
from identbox.dataset.export.formats import dataset_folders, export_dataset
from identbox.dataset.export.share_export import PROGRESS, prepare_shared, write_shared
from identbox.dataset.export.webdataset_export import TAR_SHARDS
from identbox.dataset.files.manifest import file_sha256, read_manifest, settings_from_manifest
from identbox.dataset.writing.sequence_writer import write_sequence
from identbox.dataset.writing.writer import object_pixels, write_latents
from identbox.model.colors import hue_to_rgb
from identbox.presets import load_preset
from identbox.settings.pairs import DatasetSettings
from identbox.settings.sequence import SequenceSettings

N_PAIRS = 6


def srgb(linear: np.ndarray) -> np.ndarray:
    """Linear colours in [0, 1] as 8-bit sRGB (what Blender's PNGs hold)."""
    c = np.clip(linear, 0.0, 1.0)
    return np.round(255 * np.where(c <= 0.0031308, 12.92 * c,
                                   1.055 * c ** (1 / 2.4) - 0.055)).astype(np.uint8)


def stand_in_images(root: Path) -> None:
    """Every image of a pair dataset: the ground in its hue (saturation 0.6), the object a disc
    of its hue (saturation 1) at its projected centre; view 2's object has no zero channel."""
    manifest = read_manifest(root / "manifest.json")
    settings = settings_from_manifest(manifest)
    names = [column["name"] for column in manifest["columns"]]
    size = settings.render.resolution
    ys, xs = np.mgrid[0:size, 0:size]
    for view in (1, 2):
        latents = np.load(root / "factors" / f"m{view}" / "latents.npy")
        centres = object_pixels(settings, latents)[:, 0]
        folder = root / "samples" / f"m{view}"
        folder.mkdir(parents=True, exist_ok=True)
        for i, row in enumerate(latents):
            ground = hue_to_rgb(row[[names.index("hue_background")]], 0.6).reshape(3)
            colour = hue_to_rgb(row[[names.index("hue_object")]], 1.0).reshape(3)
            if view == 2:
                colour = 0.8 * colour + 0.05
            image = np.broadcast_to(ground, (size, size, 3)).copy()
            disc = (xs + 0.5 - centres[i, 0]) ** 2 + (ys + 0.5 - centres[i, 1]) ** 2
            image[disc <= (0.12 * size) ** 2] = colour
            Image.fromarray(srgb(image)).save(folder / f"{i:06d}.png")


def pair_dataset(root: Path, **settings: object) -> Path:
    """A pair dataset of 6 pairs at 64 px (`settings` change the default preset's) with its
    stand-in images."""
    data = {**load_preset("hues_positions_rotations").to_dict(), **settings, "n_pairs": N_PAIRS}
    data["render"] = {**data["render"], "resolution": 64}
    write_latents(DatasetSettings.from_dict(data), root)
    stand_in_images(root)
    return root


def noise(size: int, seed: int) -> Image.Image:
    pixels = np.random.default_rng(seed).integers(0, 256, (size, size, 3), dtype=np.uint8)
    return Image.fromarray(pixels)


@pytest.fixture(scope="module")
def place(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A pair dataset (6 pairs, 64 px), a sequence (40 frames of noise, 128 px), a
    Multimodal3DIdent dataset (3 pairs of noise, 224 px), and two small file systems: `tiny`
    (256 KiB) and `mnt` (an empty mount point)."""
    root = tmp_path_factory.mktemp("badexports")
    pair_dataset(root / "ds")
    settings = SequenceSettings(n_frames=40, seed=0)
    seq, frames, _ = write_sequence(settings, root / "seq")
    (seq / "samples").mkdir()
    for frame in range(frames):
        noise(settings.render.resolution, frame).save(seq / "samples" / f"{frame:06d}.png")
    write_latents(load_preset("multimodal3dident").replace(n_pairs=3), root / "mm")
    (root / "mm" / "samples" / "m1").mkdir()
    for i in range(3):
        noise(224, i).save(root / "mm" / "samples" / "m1" / f"{i:06d}.png")
    mounts = []
    for name, size in (("tiny", "256k"), ("mnt", "8m")):
        (root / name).mkdir()
        subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs",
                        str(root / name)], check=True)
        mounts.append(root / name)
    yield root
    for mount in mounts:
        subprocess.run(["umount", str(mount)], check=False)


@pytest.fixture(scope="module")
def exports(place: Path) -> dict[str, Path]:
    """The pair dataset exported whole in both shared formats, two pairs per shard."""
    for form in ("webdataset", "hf"):
        export_dataset(place / "ds", form, place / "exports" / form, shard_pairs=2)
    return {form: place / "exports" / form for form in ("webdataset", "hf")}


def identbox(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "identbox", *args], text=True,
                          capture_output=True, timeout=300)


def one_error_line(stderr: str) -> str:
    """The one line said on stderr, which must be an identbox error."""
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("identbox: error: "), stderr
    return lines[0]


def temporaries(*folders: Path) -> list[Path]:
    """Every temporary file or folder (`.NAME....tmp`) in or below `folders`."""
    return [path for folder in folders for path in folder.rglob(".*.tmp")]


def files_of(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


# A killed, doubled or repeated export, and one into a mount point


def test_a_killed_npz_export_leaves_nothing_once_run_again(place: Path, tmp_path: Path) -> None:
    """kill -9 while the .npz files are staged; the next run cleans the dead run's staging
    folder up and writes the same files as a run never killed."""
    reference = tmp_path / "reference"
    assert main(["export", str(place / "seq"), "--format", "temporal_causal3dident", "--out",
                 str(reference)]) == 0
    out = tmp_path / "killed"
    run = subprocess.Popen([sys.executable, "-m", "identbox", "export", str(place / "seq"),
                            "--format", "temporal_causal3dident", "--out", str(out)],
                           stderr=subprocess.DEVNULL)
    while run.poll() is None and not temporaries(tmp_path):
        time.sleep(0.001)
    run.send_signal(signal.SIGKILL)
    assert run.wait() == -signal.SIGKILL, "the export ended before it could be killed"
    assert temporaries(tmp_path), "the kill left no staging folder: nothing was tested"
    again = identbox("export", str(place / "seq"), "--format", "temporal_causal3dident",
                     "--out", str(out))
    assert again.returncode == 0, again.stderr
    assert temporaries(tmp_path) == [], "the dead run's staging folder is still there"
    assert files_of(out) == files_of(reference)


def test_a_resumed_export_writes_a_finished_shard_damaged_since_again(
        place: Path, exports: dict[str, Path], tmp_path: Path) -> None:
    """A shard finished before the stop and damaged afterwards is checked when the export
    resumes and written again: the export is byte for byte the one never stopped."""
    out = tmp_path / "cut"
    prepared = [(prepare_shared(folder), name) for folder, name in dataset_folders(place / "ds")]

    def stop_after_one(path: Path) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        write_shared(prepared, out, 2, TAR_SHARDS, progress=stop_after_one)
    shard = out / "train-000000.tar"
    data = bytearray(shard.read_bytes())
    data[2000] ^= 0xFF
    shard.write_bytes(bytes(data))
    assert main(["export", str(place / "ds"), "--format", "webdataset", "--out", str(out)]) == 0
    assert files_of(out) == files_of(exports["webdataset"])


@pytest.mark.parametrize(("form", "source"), [("temporal_causal3dident", "seq"),
                                              ("webdataset", "ds"),
                                              ("multimodal3dident", "mm")])
def test_two_identical_exports_at_once_and_once_more(place: Path, tmp_path: Path, form: str,
                                                     source: str) -> None:
    """Two identical exports started together: each finishes, or says in one line that another
    export wrote there; the files are the ones one export writes. Run once more, a finished
    webdataset export is reported complete (exit 0), the others' folder is not empty."""
    reference = tmp_path / "reference"
    assert main(["export", str(place / source), "--format", form, "--out", str(reference)]) == 0
    out = tmp_path / "both"
    runs = [subprocess.Popen([sys.executable, "-m", "identbox", "export", str(place / source),
                              "--format", form, "--out", str(out)], text=True,
                             stderr=subprocess.PIPE, stdout=subprocess.PIPE) for _ in range(2)]
    done = [(run.wait(timeout=300), run.communicate()[1]) for run in runs]
    for status, stderr in done:
        assert status in (0, 2), stderr
        if status == 2:  # the other finished first: without an index, OUT is not empty now
            line = one_error_line(stderr)
            assert form != "webdataset" and ("another export" in line
                                              or line.endswith("is not empty: choose a new or "
                                                               "empty folder for the export")), line
        else:
            assert "Traceback" not in stderr, stderr
    assert 0 in [status for status, _ in done]
    assert files_of(out) == files_of(reference)
    assert temporaries(tmp_path) == []
    again = identbox("export", str(place / source), "--format", form, "--out", str(out))
    if form in ("webdataset", "hf"):  # the index says what a finished export holds
        assert again.returncode == 0, again.stderr
        assert "already complete and valid" in again.stdout, again.stdout
    else:
        assert again.returncode == 2 and "is not empty" in one_error_line(again.stderr)
    assert files_of(out) == files_of(reference)


def test_an_export_into_an_empty_mount_point(place: Path) -> None:
    """An empty mount point is an empty folder: the export is written into it (it cannot be
    renamed over)."""
    out = place / "mnt"
    done = identbox("export", str(place / "seq"), "--format", "temporal_causal3dident", "--out",
                    str(out))
    assert done.returncode == 0, done.stderr
    assert temporaries(out) == []
    assert np.load(out / "train.npz")["imgs"].shape == (40, 128, 128, 3)
    for path in list(out.iterdir()):
        shutil.rmtree(path) if path.is_dir() else path.unlink()


# A garbled progress file, and names that would write into the dataset card


@pytest.mark.parametrize("content", ["garbage", "[1]", '{"format": "webdataset", "splits": 3}'])
def test_a_garbled_progress_file_is_one_line(place: Path, tmp_path: Path, content: str,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / PROGRESS).write_text(content)
    before = tree(tmp_path)
    assert main(["export", str(place / "ds"), "--format", "webdataset", "--out", str(out)]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert PROGRESS in line, line
    assert tree(tmp_path) == before


@pytest.mark.parametrize("form", ["webdataset", "hf"])
def test_a_split_named_to_write_yaml_is_refused(place: Path, tmp_path: Path, form: str,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    """A split folder whose name holds a newline would add keys to the card's YAML header and
    newlines to shard names: refused in one line, nothing written."""
    splits = tmp_path / "splits"
    shutil.copytree(place / "ds", splits / "train\nlicense: mit\nx")
    before = tree(tmp_path)
    assert main(["export", str(splits), "--format", form, "--out", str(tmp_path / "o")]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert "split" in line and "license: mit" in line, line
    assert tree(tmp_path) == before


def test_a_presets_name_and_description_stay_text_in_the_card(tmp_path: Path) -> None:
    """HTML, a code fence and a heading in a preset's name and description are shown as text:
    the card's YAML header has only its own keys, its fences are its own."""
    import yaml

    pair_dataset(tmp_path / "ds", name="<img src=x onerror=alert(1)>\n---\nlicense: mit",
                 description="fine\n```\n<script>alert(1)</script>\n```\n# Heading\n"
                 "[a](javascript:x)")
    assert main(["export", str(tmp_path / "ds"), "--format", "webdataset", "--out",
                 str(tmp_path / "out")]) == 0
    card = (tmp_path / "out" / "README.md").read_text()
    _, header, body = card.split("---\n", 2)
    assert set(yaml.safe_load(header)) == {"license", "task_categories", "size_categories",
                                           "tags", "configs"}
    assert yaml.safe_load(header)["license"] == "cc-by-4.0"
    lines = body.splitlines()
    assert [line for line in lines if line.startswith("```")] == ["```", "```", "```json", "```"]
    fenced = np.cumsum([line.startswith("```") for line in lines]) % 2 == 1
    prose = "\n".join(line for line, inside in zip(lines, fenced, strict=True) if not inside)
    assert "<script" not in prose and "<img" not in prose and "[a](" not in prose, prose
    assert not [line for line in lines if line.startswith("# Heading")]
    assert [line for line in lines if line.startswith("# ")] == [lines[1]]
    assert [c.name for c in _checks(tmp_path / "out") if not c.ok] == []


# What is said


def test_a_sequence_is_pointed_to_the_npz_format(place: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    for form in ("webdataset", "hf"):
        assert main(["export", str(place / "seq"), "--format", form, "--out",
                     str(tmp_path / form)]) == 2
        line = one_error_line(capsys.readouterr().err)
        assert "Sequence" in line and "--format temporal_causal3dident" in line, line
        assert "identbox-dataset/1" not in line
        assert not (tmp_path / form).exists()


@pytest.mark.parametrize(("form", "source"), [("multimodal3dident", "mm"),
                                              ("temporal_causal3dident", "seq")])
def test_a_full_disk_is_one_line_naming_the_export(place: Path, form: str, source: str) -> None:
    """Exit 1, one line naming the export's folder (not the dataset's image it was copying),
    no 'Exception ignored' after it, nothing left on the disk."""
    before = tree(place / "tiny")
    out = place / "tiny" / form
    done = identbox("export", str(place / source), "--format", form, "--out", str(out))
    assert done.returncode == 1, done.stderr
    line = one_error_line(done.stderr)
    assert "No space left on device" in line and str(out) in line, line
    assert str(place / source) not in line, line
    assert tree(place / "tiny") == before


# validate of an export


def _checks(root: Path) -> list:
    from identbox.dataset.checking.check import validate_dataset

    return validate_dataset(root)


def reindex(out: Path) -> None:
    """Recompute the index's bytes and SHA-256 of every file, then the card and Croissant file
    from it, as someone covering their tracks would."""
    path = out / "identbox_export.json"
    index = json.loads(path.read_text())
    for entry in index["splits"].values():
        for item in entry["shards"] + entry["files"]:
            item.update(bytes=(out / item["path"]).stat().st_size,
                        sha256=file_sha256(out / item["path"]))
    path.write_text(json.dumps(index, indent=2, sort_keys=True) + "\n")
    (out / "README.md").write_text(dataset_card(index))
    (out / "croissant.json").write_text(json.dumps(croissant_metadata(index), indent=2) + "\n")


def rewrite_tar(shard: Path, change: Callable[[list[tuple[str, bytes]]], list[tuple[str, bytes]]]
                ) -> None:
    with tarfile.open(shard) as tar:
        members = [(m.name, tar.extractfile(m).read()) for m in tar.getmembers()]
    with tarfile.open(shard, "w") as tar:
        for name, data in change(members):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))


def rewrite_parquet(shard: Path, change: Callable[[list[dict]], list[dict]]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pq.read_table(shard)
    rows = change(table.to_pylist())
    pq.write_table(pa.Table.from_pylist(rows, schema=table.schema), shard)


def swap(members: list[tuple[str, bytes]], a: str, b: str) -> list[tuple[str, bytes]]:
    found = dict(members)
    return [(name, found[b] if name == a else found[a] if name == b else data)
            for name, data in members]


def inverted(data: bytes) -> bytes:
    buffer = io.BytesIO()
    ImageOps.invert(Image.open(io.BytesIO(data)).convert("RGB")).save(buffer, "PNG")
    return buffer.getvalue()


def drop_from_index(out: Path, shard: str) -> None:
    index = json.loads((out / "identbox_export.json").read_text())
    entry = index["splits"]["train"]
    entry["shards"] = [s for s in entry["shards"] if s["path"] != shard]
    (out / "identbox_export.json").write_text(json.dumps(index))
    (out / shard).unlink()


def truncate(path: Path, size: int) -> None:
    path.write_bytes(path.read_bytes()[:size])


WDS0, WDS1 = "train-000000.tar", "train-000001.tar"
HF0, HF1 = "data/train-00000-of-00003.parquet", "data/train-00001-of-00003.parquet"
# (format, change, whether the index is recomputed after it, words of the FAIL line)
DAMAGE: dict[str, tuple[str, Callable[[Path], None], bool, str]] = {
    "hf row dropped": ("hf", lambda o: rewrite_parquet(o / HF0, lambda rows: rows[:1]), True,
                       f"{HF0} holds 1 rows"),
    "hf shard missing": ("hf", lambda o: drop_from_index(o, HF1), True, "pairs 2 to 3"),
    "hf parquet truncated": ("hf", lambda o: truncate(o / HF0, 3000), True, HF0),
    "tar truncated": ("webdataset", lambda o: truncate(o / WDS0, 5000), True, WDS0),
    "tar member twice": ("webdataset", lambda o: rewrite_tar(
        o / WDS0, lambda m: [*m, m[1]]), True, "000000.m1.png twice"),
    "stray.txt": ("webdataset", lambda o: (o / "stray.txt").write_text("x"), False,
                  "stray.txt"),
    "a .tmp file": ("hf", lambda o: (o / "data" / ".x.parquet.vm.1.tmp").write_text("x"),
                    False, "data/.x.parquet.vm.1.tmp"),
    "a copied shard": ("webdataset", lambda o: shutil.copy(o / WDS0, o / "train-000003.tar"),
                       False, "train-000003.tar"),
    "card edited": ("webdataset", lambda o: (o / "README.md").write_text(
        (o / "README.md").read_text().replace("## Factors", "## Factors (all exact)")), False,
                    "README.md"),
    "croissant edited": ("hf", lambda o: (o / "croissant.json").write_text(
        (o / "croissant.json").read_text().replace('"version": "1.0.0"',
                                                   '"version": "2.0.0"')), False,
                         "croissant.json"),
    "croissant deleted": ("webdataset", lambda o: (o / "croissant.json").unlink(), False,
                          "croissant.json is missing"),
    "images of two pairs swapped": ("webdataset", lambda o: rewrite_tar(
        o / WDS0, lambda m: swap(m, "000000.m1.png", "000001.m1.png")), True, "ground hue"),
    "views swapped": ("hf", lambda o: rewrite_parquet(o / HF0, lambda rows: [
        {**rows[0], "m1_image": rows[0]["m2_image"], "m2_image": rows[0]["m1_image"]},
        *rows[1:]]), True, "metal-like"),
    "an inverted PNG": ("webdataset", lambda o: rewrite_tar(o / WDS1, lambda m: [
        (n, inverted(d) if n == "000003.m2.png" else d) for n, d in m]), True, "ground hue"),
}


def test_a_whole_export_passes_with_its_images_checked(exports: dict[str, Path],
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    """Every check passes; among them each view's looks, the card's and the stray files'."""
    for out in exports.values():
        assert main(["validate", str(out)]) == 0
        said = capsys.readouterr().out
        for words in ("show the ground hue their own latents say", "show a MyMetal object",
                      "no files the index does not list", "README.md is the card",
                      "croissant.json is the Croissant metadata"):
            assert words in said, said


def test_a_licence_set_by_the_publisher_is_no_damage(exports: dict[str, Path],
                                                     tmp_path: Path) -> None:
    """The card tells the publisher to set their licence in the card and croissant.json: that
    change passes, any other fails."""
    out = tmp_path / "mit"
    shutil.copytree(exports["webdataset"], out)
    card = out / "README.md"
    card.write_text(card.read_text().replace("license: cc-by-4.0", "license: mit"))
    croissant = json.loads((out / "croissant.json").read_text())
    croissant["license"] = "https://opensource.org/licenses/MIT"
    (out / "croissant.json").write_text(json.dumps(croissant, indent=2) + "\n")
    assert [c.name for c in _checks(out) if not c.ok] == []
    card.write_text(card.read_text().replace("seed 0", "seed 1"))
    assert [c.name for c in _checks(out) if not c.ok] == ["README.md is the card this export "
                                                          "writes (its licence aside)"]


@pytest.mark.parametrize("case", list(DAMAGE))
def test_validate_fails_a_damaged_export_in_one_line(exports: dict[str, Path], tmp_path: Path,
                                                     case: str,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    """No traceback: exit 1, and a FAIL line saying what is wrong."""
    form, change, recompute, words = DAMAGE[case]
    out = tmp_path / "damaged"
    shutil.copytree(exports[form], out)
    change(out)
    if recompute:
        reindex(out)
    status = main(["validate", str(out)])
    said = capsys.readouterr()
    failed = [line for line in said.out.splitlines() if line.startswith("FAIL")]
    assert status == 1 and said.err == "", said
    assert any(words in line for line in failed), failed

