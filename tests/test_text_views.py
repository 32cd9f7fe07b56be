"""Text views: sentences written from each view's latents, checked word by word against the
factors (colour names by a nearest neighbour computed here with matplotlib), block types acting
on text views, datasets of text alone written without Blender, and readers that know text."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import matplotlib.colors as mcolors
import numpy as np
import pytest

from identbox.dataset.checking.validate import validate_pairs
from identbox.dataset.loading.loader import IdentBoxPairs
from identbox.dataset.writing.writer import write_latents
from identbox.errors import SettingsError
from identbox.sampling.text import COLUMN_WORDS, MULTIMODAL_TEMPLATES, ROW_WORDS
from identbox.settings.objects import MultiObjectSettings
from identbox.settings.pairs import DatasetSettings

TEMPLATES = ['A "{COLOR}" teapot is at the {YPOS}-{XPOS}; the ground is "{GROUND}".',
             'At the {YPOS}-{XPOS}: a teapot in "{COLOR}" on "{GROUND}" ground.']
PALETTES = (mcolors.TABLEAU_COLORS, mcolors.CSS4_COLORS, mcolors.XKCD_COLORS)
ALL_NAMES = sorted(name for palette in PALETTES for name in palette)


def text_settings(n_pairs: int = 400, seed: int = 3, **extra: object) -> DatasetSettings:
    data = {"n_pairs": n_pairs, "seed": seed, "views": [
        {}, {"modality": "text", "text": {"describe": ["colour", "position", "ground_colour"],
                                          "templates": TEMPLATES}}],
        "blocks": {"positions": {"type": "content"}, "hues": {"type": "style"},
                   "rotations": {"type": "view_specific"}}, **extra}
    return DatasetSettings.from_dict(data)


def nearest_name(hue: float, palette: int) -> str:
    """The palette's name nearest to HSV(hue, 1, 1), computed apart from IdentBox."""
    rgb = mcolors.hsv_to_rgb([hue, 1.0, 1.0])
    names = list(PALETTES[palette])
    colours = np.array([mcolors.to_rgb(PALETTES[palette][n]) for n in names])
    distance = np.linalg.norm(colours - rgb, axis=1)
    best = distance.min()
    # Equal colours under several names: Multimodal3DIdent keeps the last name given that colour.
    tied = [n for n, d, c in zip(names, distance, colours, strict=True)
            if d == best and np.array_equal(c, colours[int(np.argmin(distance))])]
    return tied[-1]


def parse(line: str, template: str) -> dict[str, str]:
    pattern = re.escape(template)
    for name in ("COLOR", "GROUND", "YPOS", "XPOS", "SHAPE"):
        pattern = pattern.replace(re.escape("{" + name + "}"), f"(?P<{name}>.+?)")
    found = re.fullmatch(pattern, line)
    assert found, (line, template)
    return found.groupdict()


def test_sentences_say_each_view_s_factors_word_by_word(tmp_path: Path) -> None:
    settings = text_settings()
    write_latents(settings, tmp_path / "d")
    root = tmp_path / "d"
    lines = (root / "samples/m2/sentences.txt").read_text(encoding="utf-8").splitlines()
    words = np.load(root / "factors/m2/words.npy")
    manifest = json.loads((root / "manifest.json").read_text())
    columns = manifest["views"]["list"][1]["word_columns"]
    assert columns == ["colour_palette", "colour_index", "ypos", "xpos", "ground_colour_palette",
                       "ground_colour_index", "phrasing"]
    latents = np.load(root / "factors/m2/latents.npy")
    pixels = np.load(root / "factors/m2/object_pixels.npy")[:, 0]
    assert len(lines) == len(words) == 400
    col = {name: k for k, name in enumerate(columns)}
    for i, line in enumerate(lines):
        said = parse(line, TEMPLATES[words[i, col["phrasing"]]])
        object_hue = (latents[i, 7] / (2 * np.pi)) % 1.0
        ground_hue = (latents[i, 9] / (2 * np.pi)) % 1.0
        assert said["COLOR"] == nearest_name(object_hue, words[i, col["colour_palette"]]), i
        assert said["GROUND"] == nearest_name(ground_hue, words[i, col["ground_colour_palette"]])
        assert ALL_NAMES.index(said["COLOR"]) == words[i, col["colour_index"]]
        row, column = (np.clip(np.floor(pixels[i, ::-1] / 128 * 3), 0, 2)).astype(int)
        assert (said["YPOS"], said["XPOS"]) == (ROW_WORDS[row], COLUMN_WORDS[column]), i
    # Every palette, template and several grid cells occur (the checks above could fail).
    assert set(words[:, col["colour_palette"]]) == {0, 1, 2}
    assert set(words[:, col["phrasing"]]) == {0, 1}
    assert len({(r, c) for r, c in words[:, [col["ypos"], col["xpos"]]]}) >= 3


def test_block_types_act_on_text_views_like_on_image_views() -> None:
    settings = text_settings(n_pairs=2000)
    views = settings.sample()
    assert np.array_equal(views.raw(1)[:, :3], views.raw(2)[:, :3])  # positions content
    assert not np.any(views.raw(1)[:, 7:] == views.raw(2)[:, 7:])  # hues style: redrawn
    # The text is of view 2's own latents: same place as view 1, but its own colours.
    image_only = DatasetSettings.from_dict({**text_settings(n_pairs=2000).to_dict(),
                                            "views": [{}, {}]})
    assert np.array_equal(image_only.sample().raw(1), views.raw(1))  # text changes no draw


def test_two_text_views_are_two_paraphrases_of_one_scene(tmp_path: Path) -> None:
    text = {"modality": "text", "text": {"templates": list(MULTIMODAL_TEMPLATES)}}
    settings = DatasetSettings.from_dict({
        "n_pairs": 300, "seed": 1, "views": [text, text | {"name": "again"}],
        "blocks": {"positions": {"type": "content"}, "hues": {"type": "content"},
                   "rotations": {"type": "content"}}})
    # Text views alone: written in plain Python, with no Blender in the process.
    script = ("import sys; sys.modules['bpy'] = None\n"
              "from identbox.cli import main\n"
              f"sys.exit(main(['render', '--preset', {str(tmp_path / 'p.json')!r}, "
              f"'--out', {str(tmp_path / 'd')!r}]))")
    (tmp_path / "p.json").write_text(json.dumps(settings.to_dict()))
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "text views only" in done.stdout + done.stderr
    first, second = ((tmp_path / f"d/samples/m{v}/sentences.txt").read_text().splitlines()
                     for v in (1, 2))
    words = [np.load(tmp_path / f"d/factors/m{v}/words.npy") for v in (1, 2)]
    # Same scene (content): same shape and place; own phrasing and palette draws.
    assert np.array_equal(words[0][:, [0, 3, 4]], words[1][:, [0, 3, 4]])  # shape, ypos, xpos
    assert (words[0][:, -1] != words[1][:, -1]).mean() > 0.6
    assert sum(a != b for a, b in zip(first, second, strict=True)) > 200
    assert sorted(p.name for p in (tmp_path / "d/samples/m1").iterdir()) == ["sentences.txt"]
    assert all(c.ok for c in validate_pairs(tmp_path / "d")), \
        [c for c in validate_pairs(tmp_path / "d") if not c.ok]
    data = IdentBoxPairs(tmp_path / "d", tensors=False)
    x1, x2, z1, _ = data[5]
    assert (x1, x2) == (first[5], second[5]) and z1.shape == (10,)


def test_validate_reads_every_sentence_again(tmp_path: Path) -> None:
    settings = text_settings(n_pairs=30)
    root = tmp_path / "d"
    write_latents(settings, root)
    name = "each text view's sentences and words follow its latents"
    assert [c.ok for c in validate_pairs(root) if c.name == name] == [True]
    path = root / "samples/m2/sentences.txt"
    lines = path.read_text().splitlines()
    lines[7] = lines[7].replace("the", "a", 1)
    path.write_text("\n".join(lines) + "\n")
    manifest = json.loads((root / "manifest.json").read_text())
    manifest["latents"]["sha256"]["m2/sentences.txt"] = hashlib.sha256(
        path.read_bytes()).hexdigest()  # a checksum made to match
    (root / "manifest.json").write_text(json.dumps(manifest))
    found = [c for c in validate_pairs(root) if c.name == name]
    assert [c.ok for c in found] == [False] and found[0].detail == "m2/sentences.txt"
    (root / "samples/m2/000000.png").write_bytes(b"")  # a text view has no images
    assert any(c.name == "no unknown files or folders in the layout" and not c.ok
               for c in validate_pairs(root))


@pytest.mark.parametrize(("text", "words"), [
    ({"describe": ["colour", "smell"]}, "describe = 'smell'"),
    ({"describe": ["colour"], "templates": ["A {COLOR} {SHAPE}."]}, "templates[0]"),
    ({"templates": []}, "templates = []"),
    ({"templates": ["A {COLOR"]}, "templates[0]"),
    ({"describe": "colour"}, "describe = 'colour'"),
    ({"verbs": []}, "verbs"),
])
def test_bad_text_settings_are_one_clear_error(text: dict, words: str) -> None:
    with pytest.raises(SettingsError, match=re.escape(words)):
        DatasetSettings.from_dict({"views": [{}, {"modality": "text", "text": text}]})
    with pytest.raises(SettingsError, match="no text settings in an image view"):
        DatasetSettings.from_dict({"views": [{}, {"text": {}}]})


def test_a_text_view_needs_no_renderer_and_counts_no_images() -> None:
    from identbox.render.estimates import estimate
    from identbox.settings.render import RunOptions

    settings = text_settings(n_pairs=100)
    assert estimate(settings, RunOptions()).images == 100  # view 1's images only


def test_each_object_of_a_scene_is_said_left_to_right(tmp_path: Path) -> None:
    settings = MultiObjectSettings.from_dict({
        "n_pairs": 60, "seed": 2, "n_objects": 3, "views": [{}, {"modality": "text", "text": {
            "describe": ["shape", "colour", "position"],
            "templates": ['A {SHAPE} in "{COLOR}" at the {YPOS}-{XPOS}.'],
            "objects": "each", "order": "left_to_right"}}]})
    root = tmp_path / "d"
    write_latents(settings, root)
    lines = (root / "samples/m2/sentences.txt").read_text().splitlines()
    words = np.load(root / "factors/m2/words.npy")
    columns = json.loads((root / "manifest.json").read_text())["views"]["list"][1]["word_columns"]
    col = {name: k for k, name in enumerate(columns)}
    latents = np.load(root / "factors/m2/latents.npy")
    pixels = np.load(root / "factors/m2/object_pixels.npy")
    names = [c["name"] for c in settings.columns()]
    for i, line in enumerate(lines):
        clauses = re.findall(r'A (\S+) in "([^"]+)" at the (\w+)-(\w+)\.', line)
        assert len(clauses) == 3 and " ".join(
            f'A {s} in "{c}" at the {y}-{x}.' for s, c, y, x in clauses) == line
        said = [words[i, col[f"object{k}_index"]] for k in (1, 2, 3)]
        assert said == list(np.argsort(pixels[i, :, 0], kind="stable"))  # left to right
        for slot, (shape, colour, ypos, xpos) in enumerate(clauses, start=1):
            obj = said[slot - 1]
            kind = int(latents[i, names.index(f"object{obj}_type")])
            assert shape == settings.object_types[kind]
            hue = (latents[i, names.index(f"object{obj}_hue")] / (2 * np.pi)) % 1.0
            assert colour == nearest_name(hue, words[i, col[f"object{slot}_colour_palette"]])
            row, column = np.clip(np.floor(pixels[i, obj, ::-1] / 128 * 3), 0, 2).astype(int)
            assert (ypos, xpos) == (ROW_WORDS[row], COLUMN_WORDS[column])
    assert {tuple(words[i, [col[f"object{k}_index"] for k in (1, 2, 3)]])
            for i in range(60)} != {(0, 1, 2)}  # the order really changes
    name = "each text view's sentences and words follow its latents"
    assert [c.ok for c in validate_pairs(root) if c.name == name] == [True]
