"""Bad input and a failing machine, as a user meets them on the command line: every case is
one line naming the thing and what is wrong, exit status 2 for bad input and 1 for a failure
of the environment (read-only or full disk), and nothing written."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from conftest import run_blender

from identbox.dataset.files.layout import is_complete_image
from identbox.dataset.writing.cube_writer import write_cube_labels
from identbox.dataset.writing.writer import write_latents
from identbox.presets import load_preset
from identbox.settings.cube import CubeSettings
from identbox.settings.pairs import DatasetSettings


@pytest.fixture(scope="module")
def place(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A folder with a sampled dataset (no images), a cube dataset, bad presets, a file, and
    two small file systems: one read-only, one of 256 KiB."""
    root = tmp_path_factory.mktemp("bad")
    settings = load_preset("hues_positions_rotations").replace(n_pairs=4)
    assert isinstance(settings, DatasetSettings)
    write_latents(settings, root / "ds")
    write_cube_labels(CubeSettings(step=3.0, sizes=(16,)), root / "cube")
    (root / "notutf8.json").write_bytes(b"\xff\xfe{")
    (root / "bignum.json").write_text('{"n_pairs": ' + "9" * 5000 + "}")
    (root / "nested.json").write_text("[" * 5000 + "]" * 5000)
    (root / "list.json").write_text("[1, 2]")
    (root / "twice.json").write_text('{"seed": 3, "n_pairs": 4, "seed": 0}')
    (root / "a_file").write_text("not a folder")
    for name, change in (("no_latents", lambda d: d.pop("latents")),
                         ("no_settings", lambda d: d.pop("settings")),
                         ("bad_columns", lambda d: d["columns"].append("x")),
                         ("description_5", lambda d: d["settings"].update(description=5)),
                         ("n_pairs_10e400", lambda d: d["settings"].update(n_pairs=10**400)),
                         ("seed_edited", lambda d: d["settings"].update(seed=5))):
        copy = root / name
        subprocess.run(["cp", "-r", str(root / "ds"), str(copy)], check=True)
        manifest = json.loads((copy / "manifest.json").read_text())
        change(manifest)
        (copy / "manifest.json").write_text(json.dumps(manifest))
    for name, array in (("bad_shape", np.zeros((4, 3))),
                        ("bad_dtype", np.zeros((4, 10), dtype=np.float32))):
        subprocess.run(["cp", "-r", str(root / "ds"), str(root / name)], check=True)
        np.save(root / name / "factors" / "m1" / "raw_latents.npy", array)
    mounts = []
    for name, options in (("readonly", "ro,size=64k"), ("tiny", "size=256k")):
        (root / name).mkdir()
        subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(root / name)],
                       check=True)
        mounts.append(root / name)
    yield root
    for mount in mounts:
        subprocess.run(["umount", str(mount)], check=False)


def tree(root: Path) -> set[tuple[str, int, int]]:
    """Every folder below root, and every file with its size and modification time (a folder's
    own time changes when something is made and taken away again)."""
    found = set()
    for folder, names, files in os.walk(root):
        for name in names:
            found.add((str((Path(folder) / name).relative_to(root)), -1, -1))
        for name in files:
            path = Path(folder) / name
            info = path.lstat()
            found.add((str(path.relative_to(root)), info.st_size, info.st_mtime_ns))
    return found


def identbox(place: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "identbox", *args], cwd=place, text=True,
                          capture_output=True, timeout=300)


# (arguments, exit status, words the one line must hold). {p} is the fixture's folder.
CASES: list[tuple[str, list[str], int, str]] = [
    ("read-only disk", ["sample", "--out", "{p}/readonly/x"], 2,
     "readonly is not a folder you can write"),
    ("full disk", ["sample", "--n-pairs", "100000", "--out", "{p}/tiny/x"], 2,
     "of factor files, and 0.2 MB is free"),
    ("10 million pairs of 16 views", ["sample", "--n-pairs", "10000000", "--views", "16",
                                      "--out", "{p}/o"], 2, "GB of memory to sample"),
    ("path through a file", ["sample", "--out", "{p}/a_file/x"], 2, "a_file is a file"),
    ("name too long", ["sample", "--out", "{p}/" + "a" * 300], 2, "File name too long"),
    ("/proc", ["sample", "--out", "/proc/identbox"], 2, "/proc is not a folder you can write"),
    ("validate --sample -1", ["validate", "{p}/ds", "--sample", "-1"], 2, "sample = -1"),
    ("contact-sheet --pairs 0", ["contact-sheet", "{p}/ds", "--pairs", "0", "--out",
                                 "{p}/s.png"], 2, "pairs = 0"),
    ("no image extension", ["contact-sheet", "{p}/ds", "--out", "{p}/sheet.foo"], 2, ".png"),
    ("no images yet", ["contact-sheet", "{p}/ds", "--out", "{p}/s.png"], 2,
     "no rendered images"),
    ("plot-latents of a cube", ["plot-latents", "{p}/cube", "--out", "{p}/p.png"], 2,
     "identbox-cube/1"),
    ("preset not UTF-8", ["sample", "--preset", "{p}/notutf8.json", "--out", "{p}/o"], 2,
     "not UTF-8"),
    ("preset with a 5,000-digit number", ["sample", "--preset", "{p}/bignum.json", "--out",
                                          "{p}/o"], 2, "too many digits"),
    ("preset nested 5,000 deep", ["sample", "--preset", "{p}/nested.json", "--out", "{p}/o"],
     2, "nested too deeply"),
    ("preset that is a list", ["sample", "--preset", "{p}/list.json", "--out", "{p}/o"], 2,
     "not a list"),
    ("missing preset file", ["sample", "--preset", "{p}/none.json", "--out", "{p}/o"], 2,
     "none.json"),
    ("manifest without latents", ["validate", "{p}/no_latents"], 2, "'latents'"),
    ("manifest without settings", ["reproduce", "{p}/no_settings/manifest.json", "--out",
                                   "{p}/o"], 2, "'settings'"),
    ("manifest with a bad column", ["plot-latents", "{p}/bad_columns", "--out", "{p}/p.png"],
     2, "column"),
    ("latents of the wrong shape", ["plot-latents", "{p}/bad_shape", "--out", "{p}/p.png"], 2,
     "(4, 3)"),
    ("latents of the wrong dtype", ["contact-sheet", "{p}/bad_dtype", "--out", "{p}/s.png"],
     2, "float32"),
    ("latents of the wrong shape, as a preset", ["render", "--preset",
                                                 "{p}/bad_shape/manifest.json", "--out",
                                                 "{p}/bad_shape"], 2, "raw_latents.npy"),
    ("not a dataset", ["validate", "{p}/a_file"], 2, "not an IdentBox dataset"),
    ("render into /proc", ["render", "--n-pairs", "1", "--out", "/proc/identbox"], 2,
     "/proc is not a folder you can write"),
    ("--blender /bin/false", ["render", "--n-pairs", "1", "--out", "{p}/o", "--blender",
                              "/bin/false"], 2, "/bin/false"),
    ("a manifest's description of 5", ["reproduce", "{p}/description_5/manifest.json",
                                       "--out", "{p}/o"], 2, "description = 5"),
    ("--views of a superscript two", ["sample", "--views", "\u00b2", "--out", "{p}/o"], 2,
     "digits 0-9"),
    ("--views of a full-width three", ["sample", "--views", "\uff13", "--out", "{p}/o"], 2,
     "digits 0-9"),
    ("--views -3", ["sample", "--views", "-3", "--out", "{p}/o"], 2, "n_views = -3"),
    ("a key twice in a preset", ["sample", "--preset", "{p}/twice.json", "--out", "{p}/o"], 2,
     "holds the key 'seed' twice"),
    ("a manifest's n_pairs of 10**400", ["reproduce", "{p}/n_pairs_10e400/manifest.json",
                                         "--out", "{p}/o"], 2, "n_pairs = 1000000"),
    ("a manifest whose seed was edited", ["reproduce", "{p}/seed_edited/manifest.json",
                                          "--out", "{p}/o"], 2, "gives other m1/latents.npy"),
    ("--splits of a sequence in sample", ["sample", "--preset", "temporal_causal3dident",
                                          "--splits", "train=100,test=100", "--out", "{p}/o"],
     2, "no --splits for a dataset of frames"),
    ("--splits in slurm submit", ["slurm", "submit", "--dry-run", "--shards", "2", "--splits",
                                  "train=4,test=2", "--out", "{p}/o"], 2,
     "no --splits for slurm submit"),
    ("render over a different dataset", ["render", "--n-pairs", "2", "--resolution", "16",
                                         "--out", "{p}/ds"], 2,
     "already holds a different dataset"),
    ("a partition with an option in it", ["slurm", "submit", "--shards", "2", "--partition",
                                          "debug --wrap=x", "--out", "{p}/s"], 2,
     "partition names"),
    ("a backslash in --out", ["render", "--n-pairs", "1", "--out", "{p}/a\\b"], 2,
     "without backslashes"),
]


# Refused only once Blender has started (the render loop reads the folder's latents there).
STARTS_BLENDER = {"latents of the wrong shape, as a preset", "render over a different dataset"}


@pytest.mark.parametrize(("arguments", "status", "words"), [
    pytest.param(*case[1:], id=case[0],
                 marks=[pytest.mark.blender] if case[0] in STARTS_BLENDER else [])
    for case in CASES])
def test_bad_input_is_one_line_and_writes_nothing(place: Path, arguments: list[str],
                                                  status: int, words: str) -> None:
    before = tree(place)
    done = identbox(place, *(a.format(p=place) for a in arguments))
    lines = [line for line in done.stderr.splitlines() if line.strip()]  # no device line
    assert done.returncode == status, done.stderr
    assert len(lines) == 1 and lines[0].startswith("identbox: error: "), done.stderr
    assert words in lines[0], lines[0]
    assert tree(place) == before, "something was written"


@pytest.mark.blender
def test_a_render_onto_a_full_disk_says_so_and_keeps_only_whole_images(place: Path) -> None:
    out = place / "tiny" / "render"
    done = identbox(place, "render", "--n-pairs", "40", "--resolution", "64", "--samples", "1",
                    "--out", str(out))
    assert done.returncode == 1, done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("identbox: error: ") and "No space left on device" in last, last
    assert "Traceback" not in done.stderr
    images = sorted((out / "samples").rglob("*"))
    assert not [p for p in images if p.name.endswith(".tmp")], "a temporary file was left"
    assert all(is_complete_image(p) for p in images if p.is_file())


@pytest.mark.blender
def test_an_operator_reports_an_os_error_instead_of_raising(tmp_path: Path) -> None:
    result = run_blender("""
        import bpy, identbox
        identbox.register()
        messages = []
        try:
            outcome = bpy.ops.identbox.sample_latents(directory="/proc/identbox/x")
        except RuntimeError as error:  # Blender raises the operator's ERROR report
            outcome, messages = {"CANCELLED"}, [str(error)]
        report({"outcome": sorted(outcome), "messages": messages})
        identbox.unregister()
    """, tmp_path)
    assert result["outcome"] == ["CANCELLED"]
    assert "Traceback" not in result["_output"]
    assert any("/proc/identbox" in m for m in result["messages"]), result



def test_more_views_than_a_dataset_may_have_are_refused_with_nothing_written(
        place: Path) -> None:
    preset = place / "views17.json"
    preset.write_text('{"n_views": 17}')
    before = tree(place)
    done = identbox(place, "sample", "--preset", str(preset), "--out", str(place / "v17"))
    assert done.returncode == 2
    assert done.stderr.startswith("identbox: error: n_views = 17 is not allowed"), done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert tree(place) == before, "something was written"
    preset.unlink()


@pytest.fixture(scope="module")
def drawn(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A sampled pairs dataset with stand-in images (16 px PNGs), and a link to it."""
    from PIL import Image

    root = tmp_path_factory.mktemp("drawn")
    settings = load_preset("hues_positions_rotations").replace(n_pairs=3)
    assert isinstance(settings, DatasetSettings)
    write_latents(settings, root / "ds")
    for view in ("m1", "m2"):
        (root / "ds" / "samples" / view).mkdir(parents=True, exist_ok=True)
        for index in range(3):
            Image.new("RGB", (16, 16), (40 * index, 90, 200)).save(
                root / "ds" / "samples" / view / f"{index:06d}.png")
    (root / "link").symlink_to(root / "ds")
    return root


@pytest.mark.parametrize("arguments", [
    ["contact-sheet", "{p}/ds", "--out", "{p}/ds/samples/m2/000001.png"],
    ["contact-sheet", "{p}/ds", "--out", "{p}/link/samples/m1/000000.png"],  # through a link
    ["contact-sheet", "{p}/link", "--out", "{p}/ds/sheet.png"],
    ["plot-latents", "{p}/ds", "--out", "{p}/ds/samples/m2/000002.png"],
    ["export", "{p}/ds", "--format", "webdataset", "--out", "{p}/ds/exported"],
], ids=["sheet onto an image", "sheet through a link", "sheet into a linked dataset",
        "plot onto an image", "export into the dataset"])
def test_an_output_inside_the_dataset_read_is_refused(drawn: Path,
                                                      arguments: list[str]) -> None:
    """A file a command makes from a dataset never lands in that dataset: a contact sheet or
    plot named like one of its images replaced the image (exit 0)."""
    before = tree(drawn)
    done = identbox(drawn, *(a.format(p=drawn) for a in arguments))
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "a path outside the dataset it reads" in lines[0], done.stderr
    assert tree(drawn) == before, "something was written"


@pytest.mark.blender
def test_an_out_starting_with_two_slashes_is_written_where_it_points(tmp_path: Path) -> None:
    """`--out //ABS/x`: Blender reads a leading // as "beside the .blend file" and wrote the
    images under the current folder, the latents and manifest at /ABS/x."""
    work = tmp_path / "work"
    work.mkdir()
    target = tmp_path / "x"
    done = identbox(work, "render", "--n-pairs", "1", "--resolution", "16", "--samples", "1",
                    "--out", "/" + str(target))
    assert done.returncode == 0, done.stderr
    assert is_complete_image(target / "samples" / "m1" / "000000.png")
    assert list(work.iterdir()) == []
