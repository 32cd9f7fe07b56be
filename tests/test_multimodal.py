"""The Multimodal3DIdent preset and its export (reference multimodal3dident.md): sentences checked
word by word against the factors, the original's latent distributions, a rendered dataset that
validates, and its export read the way the published loader reads files."""

from __future__ import annotations

import colorsys
import csv
import hashlib
import json
import math
import re
import string
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from matplotlib.colors import CSS4_COLORS, TABLEAU_COLORS, XKCD_COLORS, to_rgb
from scipy import stats

from identbox.cli import main
from identbox.dataset.checking.images import dominant_hue_of, hue_distance, load_rgba
from identbox.dataset.checking.validate import validate_pairs
from identbox.dataset.writing.writer import latent_blobs, text_of
from identbox.errors import SettingsError
from identbox.presets import load_preset
from identbox.sampling.multi import OBJECT_TYPES
from identbox.sampling.multimodal import ORIGINAL_SHAPES, STAND_INS, index
from identbox.sampling.text import MULTIMODAL_TEMPLATES, SceneWords, write_sentences
from identbox.settings.multimodal import PUBLISHED_SPLITS, MultimodalSettings
from identbox.settings.splits import parse_splits
from identbox.settings.views import views_of

PRESET = "multimodal3dident"
XPOS = ("left", "center", "right")
YPOS = ("top", "mid", "bottom")
TABLES = (TABLEAU_COLORS, CSS4_COLORS, XKCD_COLORS)
IMAGE_HEADER = ["object_shape", "object_xpos", "object_ypos", "object_zpos", "object_alpharot",
                "object_betarot", "object_gammarot", "object_color", "spotlight_pos",
                "spotlight_color", "background_color"]
TEXT_HEADER = ["object_shape", "object_xpos", "object_ypos", "object_zpos", "object_color_name",
               "object_color_index", "text_phrasing"]


def nearest_name(hue: float, table: dict[str, str]) -> str:
    """The original generator's colour name, written out plainly from matplotlib's table: keyed
    by RGB (a repeated colour takes its last name), the first strictly nearer colour wins."""
    by_rgb = {to_rgb(code): name for name, code in table.items()}
    target = np.array(colorsys.hsv_to_rgb(hue, 1.0, 1.0))
    best, best_distance = None, np.inf
    for rgb in by_rgb:
        distance = float(np.linalg.norm(np.array(rgb) - target))
        if distance < best_distance:
            best, best_distance = rgb, distance
    return by_rgb[best]


def fields_of(sentence: str, template: str) -> dict[str, str]:
    """The words a sentence put into a template's {PLACEHOLDERS}."""
    pattern, names = "", []
    for literal, name, _, _ in string.Formatter().parse(template):
        pattern += literal.replace(".", r"\.")
        if name:
            pattern += "(.+?)"
            names.append(name)
    found = re.fullmatch(pattern, sentence)
    assert found, (sentence, template)
    return dict(zip(names, found.groups(), strict=True))


def sigma_bound(counts: np.ndarray, n: int) -> bool:
    """Every category's count within 5 standard deviations of a uniform draw's."""
    p = 1.0 / len(counts)
    return bool(np.all(np.abs(counts - n * p) <= 5 * math.sqrt(n * p * (1 - p))))


def test_the_preset_is_the_original_s_dataset() -> None:
    settings = load_preset(PRESET)
    image, text = views_of(settings)
    assert (image.modality, image.material, text.modality) == ("image", "Rubber", "text")
    assert text.text is not None and text.text.templates == MULTIMODAL_TEMPLATES
    assert text.text.describe == ("shape", "colour", "position")
    render = settings.render
    assert (render.resolution, render.samples, render.denoiser, render.max_bounces) == \
        (224, 512, "openimagedenoise", 0)
    assert settings.scene.hue_mapping == "legacy"  # colorsys fed negative hues, as the original
    assert settings.object_types == STAND_INS and set(STAND_INS) <= set(OBJECT_TYPES)
    assert settings.n_pairs == 125_000
    assert parse_splits(PUBLISHED_SPLITS) == [("train", 125_000), ("val", 10_000),
                                              ("test", 10_000)]
    columns = settings.columns()
    assert [c["multimodal3dident"]["name"] for c in columns] == IMAGE_HEADER
    shape = columns[index("object_type")]
    assert shape["words"] == list(ORIGINAL_SHAPES)
    assert shape["stand_ins"] == {"hare": "sphere", "dragon": "torus", "cow": "cube",
                                  "armadillo": "cone", "horse": "cylinder", "head": "monkey"}
    assert "hare drawn as sphere" in settings.summary()


def test_object_types_are_seven_known_types() -> None:
    for wrong, said, setting in (
            (("teapot",) * 6, "a list of 7 types", "object_types"),
            ("teapot", "a list of 7 types", "object_types"),
            (("teapot",) * 6 + ("hare",), "or a mesh file", "object_types[6]")):
        with pytest.raises(SettingsError, match=said) as caught:
            MultimodalSettings(object_types=wrong)
        assert caught.value.setting == setting
    assert MultimodalSettings(object_types=("teapot",) * 7).columns()[0]["stand_ins"] == {
        shape: "teapot" for shape in ORIGINAL_SHAPES[1:]}


def test_sentences_name_the_factors_word_by_word() -> None:
    settings = load_preset(PRESET).replace(n_pairs=400, seed=5)
    views = settings.sample()
    assert np.array_equal(views.raw(1), views.raw(2))  # one scene, seen and described
    raw = views.raw(2)
    sentences = text_of(settings, views.latents(2), 2)
    columns = {name: k for k, name in enumerate(sentences.columns)}
    all_sorted = sorted(name for table in TABLES for name in table)
    for i, line in enumerate(sentences.lines):
        words = sentences.values[i]
        phrasing = int(words[columns["phrasing"]])
        said = fields_of(line, MULTIMODAL_TEMPLATES[phrasing])
        assert said["SHAPE"] == ORIGINAL_SHAPES[int(raw[i, index("object_type")])]
        assert said["XPOS"] == XPOS[int(raw[i, index("pos_y")]) + 1]
        assert said["YPOS"] == YPOS[int(raw[i, index("pos_x")]) + 1]
        table = TABLES[int(words[columns["colour_palette"]])]
        assert said["COLOR"] == nearest_name(float(raw[i, index("hue_object")]), table)
        assert all_sorted[int(words[columns["colour_index"]])] == said["COLOR"]
        assert (words[columns["shape"]], words[columns["xpos"]], words[columns["ypos"]]) == \
            (raw[i, index("object_type")], raw[i, index("pos_y")] + 1, raw[i, index("pos_x")] + 1)
    assert set(sentences.values[:, columns["phrasing"]]) == set(range(5))
    assert set(sentences.values[:, columns["colour_palette"]]) == {0, 1, 2}
    assert latent_blobs(settings)["m2/sentences.txt"].decode().splitlines() == sentences.lines


def test_position_words_come_from_the_cells_the_latents_give() -> None:
    """Where a kind's latents name the grid cell, the words say that cell, wherever the centre
    lands in the image; without cells, the centre's cell (the other kinds' words) as before."""
    pixels = np.array([[1.0, 1.0], [1.0, 1.0]])  # top-left of a 30 px image
    words = dict(shapes=["cow", "cow"], shape_indices=np.array([3, 3]),
                 hues={"colour": np.array([0.0, 0.5])}, pixels=pixels, resolution=30)
    template = ("At the {YPOS}-{XPOS}.",)
    plain = write_sentences(SceneWords(**words), ("position",), template, 0, 2)
    given = write_sentences(SceneWords(**words, cells=(np.array([2, 1]), np.array([0, 2]))),
                            ("position",), template, 0, 2)
    assert plain.lines == ["At the top-left."] * 2
    assert given.lines == ["At the bottom-left.", "At the mid-right."]
    assert given.values[:, :2].tolist() == [[2, 0], [1, 2]]


def test_latents_follow_the_original_s_distributions() -> None:
    n = 20_000
    settings = MultimodalSettings(n_pairs=n, seed=11)
    views = settings.sample()
    raw, latents = views.raw(1), views.latents(1)
    shapes = raw[:, index("object_type")]
    assert set(shapes) == set(range(7)) and sigma_bound(np.bincount(shapes.astype(int)), n)
    for name in ("pos_x", "pos_y"):
        assert set(raw[:, index(name)]) == {-1.0, 0.0, 1.0}
        assert sigma_bound(np.bincount((raw[:, index(name)] + 1).astype(int)), n)
        assert set(latents[:, index(name)]) == {-3.0, 0.0, 3.0}  # Blender: 3 * place - 3
    assert not raw[:, index("pos_z")].any() and not latents[:, index("pos_z")].any()
    for name in ("rot_alpha", "rot_beta", "rot_gamma", "spot_theta", "hue_spot",
                 "hue_background"):
        assert stats.kstest(raw[:, index(name)], stats.uniform(-1, 2).cdf).pvalue > 1e-3, name
    for name in ("rot_alpha", "rot_beta", "rot_gamma", "spot_theta"):  # pi u - pi / 2
        assert np.abs(latents[:, index(name)]).max() <= np.pi / 2
        assert np.abs(latents[:, index(name)]).max() > np.pi / 2 - 1e-3
    hue = latents[:, index("hue_object")] / (2 * np.pi)
    assert stats.kstest(hue, stats.uniform(0, 1).cdf).pvalue > 1e-3
    for name in ("hue_spot", "hue_background"):  # hue (u - 0.5) / 2 in [-1/4, 1/4]
        assert np.abs(latents[:, index(name)] / (2 * np.pi)).max() <= 0.25
    # The original's option: the hue lies in the third of the circle its x place says.
    dependent = MultimodalSettings(n_pairs=n, seed=11, position_dependent_colour=True).sample()
    place = dependent.raw(1)[:, index("pos_y")] + 1
    hue = dependent.raw(1)[:, index("hue_object")]
    assert np.all((hue >= place / 3) & (hue < (place + 1) / 3))
    assert stats.kstest(hue * 3 - place, stats.uniform(0, 1).cdf).pvalue > 1e-3
    # The text's own draws: phrasing 0..4 and palette 0..2, uniform.
    small = settings.replace(n_pairs=5000)
    values = text_of(small, small.sample().latents(2), 2)
    columns = {name: k for k, name in enumerate(values.columns)}
    for name, size in (("phrasing", 5), ("colour_palette", 3)):
        counts = np.bincount(values.values[:, columns[name]], minlength=size)
        assert len(counts) == size and sigma_bound(counts, 5000)


def read_export(split: Path) -> tuple[list[dict[str, str]], list[dict[str, str]], list[str],
                                      list[Path]]:
    """What Multimodal3DIdent's published loader reads: both CSV files with their header row,
    the sentences one per line, and image i as str(i).zfill(ceil(log10(n))) + '.png'."""
    with (split / "latents_image.csv").open(newline="") as handle:
        image_rows = list(csv.DictReader(handle))
    with (split / "latents_text.csv").open(newline="") as handle:
        text_rows = list(csv.DictReader(handle))
    sentences = (split / "text" / "text_raw.txt").read_text(encoding="utf-8").split("\n")
    n = len(sentences)
    width = int(np.ceil(np.log10(n)))
    images = [split / "images" / (str(i).zfill(width) + ".png") for i in range(n)]
    return image_rows, text_rows, sentences, images


def run_identbox(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "identbox", *args], capture_output=True,
                          text=True, timeout=600)


@pytest.mark.blender
def test_render_validate_export_and_read_as_the_published_loader_does(tmp_path: Path) -> None:
    out, export = tmp_path / "mm3d", tmp_path / "export"
    done = run_identbox("render", "--preset", PRESET, "--n-pairs", "100", "--resolution", "32",
                        "--samples", "2", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert "hare drawn as sphere" in done.stderr  # the render log names the stand-ins
    assert len(list((out / "samples" / "m1").glob("*.png"))) == 100
    sentences = (out / "samples" / "m2" / "sentences.txt").read_text().splitlines()
    assert len(sentences) == 100
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["columns"][0]["stand_ins"]["head"] == "monkey"
    checked = run_identbox("validate", str(out))
    assert checked.returncode == 0, checked.stdout

    exported = run_identbox("export", str(out), "--format", PRESET, "--out", str(export))
    assert exported.returncode == 0, exported.stderr
    image_rows, text_rows, lines, images = read_export(export)
    assert list(image_rows[0]) == IMAGE_HEADER and list(text_rows[0]) == TEXT_HEADER
    assert len(image_rows) == len(text_rows) == len(lines) == 100
    assert images[7].name == "07.png" and all(path.exists() for path in images)
    assert lines == sentences
    raw = np.load(out / "factors" / "m1" / "raw_latents.npy")
    for i, (image_row, text_row, line) in enumerate(zip(image_rows, text_rows, lines,
                                                        strict=True)):
        # Image i is sample i's, and shows the ground colour row i of latents_image.csv says
        # (the original's formula: HSV((u - 0.5) / 2, 0.6, 1), negative channels clamped).
        assert images[i].read_bytes() == (out / "samples" / "m1" / f"{i:06d}.png").read_bytes()
        u = float(image_row["background_color"])
        rgb = np.maximum(colorsys.hsv_to_rgb((u - 0.5) / 2, 0.6, 1.0), 0.0)
        want = colorsys.rgb_to_hsv(*rgb)[0]
        assert hue_distance(dominant_hue_of(load_rgba(images[i])), want) < 0.05, i
        # Row i holds sample i's latents in the original's values.
        assert int(image_row["object_shape"]) == raw[i, index("object_type")]
        assert int(image_row["object_xpos"]) == raw[i, index("pos_y")] + 1
        assert float(image_row["object_zpos"]) == 0.0
        assert float(image_row["object_alpharot"]) == pytest.approx(
            (raw[i, index("rot_alpha")] + 1) / 2, abs=1e-15)
        assert 0.0 <= float(image_row["object_color"]) <= 1.0
        # Sentence i says what row i of latents_text.csv holds, and both modalities share it.
        said = fields_of(line, MULTIMODAL_TEMPLATES[int(text_row["text_phrasing"])])
        assert said["SHAPE"] == ORIGINAL_SHAPES[int(text_row["object_shape"])]
        assert said["XPOS"] == XPOS[int(text_row["object_xpos"])]
        assert said["YPOS"] == YPOS[int(text_row["object_ypos"])]
        assert said["COLOR"] == text_row["object_color_name"]
        for name in ("object_shape", "object_xpos", "object_ypos"):
            assert text_row[name] == image_row[name]


@pytest.mark.blender
def test_splits_export_into_folders_of_their_own(tmp_path: Path) -> None:
    out, export = tmp_path / "mm3d", tmp_path / "export"
    done = run_identbox("render", "--preset", PRESET, "--splits", "train=12,val=3",
                        "--resolution", "16", "--samples", "1", "--denoiser", "none",
                        "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert main(["export", str(out), "--format", PRESET, "--out", str(export)]) == 0
    assert sorted(p.name for p in export.iterdir()) == ["train", "val"]
    for split, n, first in (("train", 12, "00.png"), ("val", 3, "0.png")):
        image_rows, text_rows, lines, images = read_export(export / split)
        assert len(image_rows) == len(text_rows) == len(lines) == n
        assert images[0].name == first and all(path.exists() for path in images)
        assert lines == (out / split / "samples" / "m2" / "sentences.txt").read_text() \
            .splitlines()


@pytest.mark.blender
def test_bad_exports_are_one_line_and_write_nothing(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    def sample(name: str, *args: str) -> Path:
        assert main(["sample", "--n-pairs", "3", "--out", str(tmp_path / name), *args]) == 0
        return tmp_path / name

    no_text = tmp_path / "no_text.json"
    no_text.write_text(json.dumps({"kind": PRESET, "views": [{"name": "a"}, {"name": "b"}]}))
    unrendered = sample("unrendered", "--preset", PRESET)
    full = tmp_path / "full"
    full.mkdir()
    (full / "mine.txt").write_text("keep")
    (tmp_path / "empty").mkdir()
    cases = {
        "holds no IdentBox dataset": (tmp_path / "empty", PRESET, tmp_path / "o1"),
        "holds a Pairs dataset": (sample("pairs"), PRESET, tmp_path / "o2"),
        "has no text view": (sample("no_text", "--preset", str(no_text)), PRESET,
                             tmp_path / "o3"),
        "still to render": (unrendered, PRESET, tmp_path / "o4"),
        "is not empty": (unrendered, PRESET, full),
        "format = 'clevr' is not allowed: one of multimodal3dident":
            (unrendered, "clevr", tmp_path / "o5"),
    }
    capsys.readouterr()
    before = sorted(p.name for p in tmp_path.iterdir())
    for said, (root, name, out) in cases.items():
        assert main(["export", str(root), "--format", name, "--out", str(out)]) == 2, said
        error = capsys.readouterr().err
        assert error.startswith("identbox: error: ") and said in error, error
        assert error.count("\n") == 1, error
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no output, no temporaries
    assert [p.name for p in full.iterdir()] == ["mine.txt"]


@pytest.mark.blender
def test_a_user_s_scanned_shape_file_is_drawn_for_its_shape(tmp_path: Path) -> None:
    """A mesh file given for hare is drawn for it (no stand-in), recorded with its SHA-256;
    a missing one is one line, and nothing is written."""
    (tmp_path / "hare.obj").write_text(
        "o Hare\n" + "".join(f"v {x} {y} {z}\n" for x in (-1, 1) for y in (-0.3, 0.3)
                             for z in (-0.5, 0.5))
        + "f 1 2 4 3\nf 5 7 8 6\nf 1 5 6 2\nf 3 4 8 7\nf 1 3 7 5\nf 2 6 8 4\n")
    preset = {**load_preset("multimodal3dident").to_dict(), "n_pairs": 6}
    preset["object_types"][1] = "hare.obj"
    (tmp_path / "p.json").write_text(json.dumps(preset))
    done = subprocess.run([sys.executable, "-m", "identbox", "render", "--preset", "p.json",
                           "--resolution", "32", "--samples", "2", "--out", "d"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "hare drawn as" not in done.stdout + done.stderr
    assert "dragon drawn as torus" in done.stdout + done.stderr
    manifest = json.loads((tmp_path / "d/manifest.json").read_text())
    path = str(tmp_path / "hare.obj")
    assert manifest["settings"]["object_types"][1] == path
    assert manifest["settings"]["shape_sha256"] == {
        path: hashlib.sha256((tmp_path / "hare.obj").read_bytes()).hexdigest()}
    column = next(c for c in manifest["columns"] if c["name"] == "object_type")
    assert "hare" not in column["stand_ins"] and column["rendered_as"][1] == path
    assert all(c.ok for c in validate_pairs(tmp_path / "d"))
    (tmp_path / "hare.obj").unlink()
    again = subprocess.run([sys.executable, "-m", "identbox", "render", "--preset", "p.json",
                            "--resolution", "32", "--out", "e"], cwd=tmp_path,
                           capture_output=True, text=True, timeout=600)
    assert again.returncode == 2 and again.stderr.startswith("identbox: error: object_types[1]")
    assert not (tmp_path / "e").exists()


SHARED = {"object_type", "pos_x", "pos_y", "hue_object"}
IMAGE_ONLY = {"rot_alpha", "rot_beta", "rot_gamma", "spot_theta", "hue_spot", "hue_background"}


@pytest.mark.blender  # `sample` reads the settings' .blend shapes when bpy is at hand
def test_the_manifest_says_what_the_modalities_share_and_evaluate_groups_by_it(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The paper's split: shape, position and colour are in the image and the text; rotations,
    spotlight and ground in the image alone (and the phrasing in the text alone). A code that
    holds the shared factors scores high on them and near 0 on the image's own."""
    roles = {c["name"]: c["role"] for c in load_preset(PRESET).columns()}
    assert {n for n, r in roles.items() if r == "shared"} == SHARED
    assert {n for n, r in roles.items() if r == "modality_specific"} == IMAGE_ONLY
    assert roles["pos_z"] == "constant"
    assert main(["sample", "--preset", PRESET, "--n-pairs", "400", "--out",
                 str(tmp_path / "d")]) == 0
    raw = np.load(tmp_path / "d" / "factors" / "m1" / "raw_latents.npy")
    shared = raw[:, [index(n) for n in ("object_type", "pos_x", "pos_y", "hue_object")]]
    np.save(tmp_path / "codes.npy", shared @ np.random.default_rng(1).normal(size=(4, 4)))
    capsys.readouterr()
    for view in (1, 2):
        assert main(["evaluate", str(tmp_path / "d"), "--representations",
                     str(tmp_path / "codes.npy"), "--view", str(view), "--json"]) == 0
        report = json.loads(capsys.readouterr().out)
        types = {f["name"]: f["block_type"] for f in report["factors"]}
        assert {n for n, t in types.items() if t == "shared"} == SHARED
        assert {n for n, t in types.items() if t == "modality_specific"} == IMAGE_ONLY | (
            {"phrasing"} if view == 2 else set())
        means = report["means"]
        assert means["shared"]["r2_nonlinear"] > 0.8, means
        assert means["shared"]["accuracy_nonlinear"] > 0.9, means  # the shape
        assert means["modality_specific"]["r2_nonlinear"] < 0.1, means
        assert "content" not in means  # one mean over both told nothing (0.31 here)
