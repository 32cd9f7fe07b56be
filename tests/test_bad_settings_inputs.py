"""Bad settings that reach text views, shape files and presets, as a user meets them on the
command line: every case is one line naming the setting and what it may be, exit status 2,
and nothing written. Also the same checks where the panel builds its settings (the settings
objects themselves), and the mesh readers' checks, without a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from test_bad_inputs import tree

from identbox.errors import SettingsError
from identbox.model.mesh_files import MeshFileError, read_obj, read_ply, read_stl
from identbox.settings.multimodal import MultimodalSettings
from identbox.settings.text import TextSettings
from identbox.settings.views import IMAGE, TEXT, ViewSettings

MULTIMODAL_WORDS = "A {SHAPE} of {COLOR} at the {YPOS}-{XPOS}."
TRIANGLE = "v 0 0 0\nv 1 0 0\nv 0 1 0\n"

# Templates that are refused, each with its describe words, and the words the line holds.
BAD_TEMPLATES: list[tuple[str, str, str]] = [
    ("format width", "A {SHAPE:>40} of {COLOR} at the {YPOS}-{XPOS}.", "{NAME}"),
    ("format type", "A {SHAPE:d} of {COLOR} at the {YPOS}-{XPOS}.", "{NAME}"),
    ("nested format", "A {SHAPE:{COLOR.__class__}} of {COLOR} at the {YPOS}-{XPOS}.",
     "{NAME}"),
    ("conversion", "A {SHAPE!r} of {COLOR} at the {YPOS}-{XPOS}.", "{NAME}"),
    ("unknown conversion", "A {SHAPE!x} of {COLOR} at the {YPOS}-{XPOS}.", "{NAME}"),
    ("empty placeholder", "A {} {SHAPE} of {COLOR} at the {YPOS}-{XPOS}.", "{NAME}"),
    ("numbered placeholder", "A {0} {SHAPE} of {COLOR} at the {YPOS}-{XPOS}.", "{NAME}"),
    ("newline", "A {SHAPE} of {COLOR}\nat the {YPOS}-{XPOS}.", "line break"),
    ("carriage return", "A {SHAPE} of {COLOR}\rat the {YPOS}-{XPOS}.", "line break"),
    ("line separator", "A {SHAPE} of {COLOR}\u2028at the {YPOS}-{XPOS}.", "line break"),
    ("paragraph separator", "A {SHAPE} of {COLOR}\u2029at the {YPOS}-{XPOS}.", "line break"),
    ("next line", "A {SHAPE} of {COLOR}\x85at the {YPOS}-{XPOS}.", "line break"),
    ("100,000 characters", MULTIMODAL_WORDS + " and" * 25000, "characters"),
]
# Refused as the others, but only checked without a run: were the check broken, a run would
# write gigabytes (a width of 3e9: 3 GB a sentence).
HUGE_TEMPLATES = [("format width of 3e9",
                   "A {SHAPE:>3000000000} of {COLOR} at the {YPOS}-{XPOS}.", "{NAME}")]


def text_preset(template: str) -> dict[str, object]:
    return {"kind": "multimodal3dident", "n_pairs": 2,
            "views": [{"name": "image", "material": "Rubber"},
                      {"name": "text", "modality": "text", "text": {"templates": [template]}}]}


def shape_preset(name: str) -> dict[str, object]:
    return {"kind": "multi", "n_pairs": 2, "n_objects": 1, "object_types": ["cube", name]}


# (name, preset, words the one line must hold). A preset that is a str is a file of the
# fixture's folder; a dict is written as the preset.
CASES: list[tuple[str, object, tuple[str, ...]]] = [
    *((f"template: {name}", text_preset(template), ("views[1].text.templates[0]", words))
      for name, template, words in BAD_TEMPLATES),
    ("shape file: link to /dev/zero", shape_preset("zero.obj"), ("not a regular file",)),
    ("shape file: FIFO", shape_preset("fifo.obj"), ("not a regular file",)),
    ("shape file: folder", shape_preset("folder.obj"), ("not a regular file",)),
    ("shape file: 600 MB", shape_preset("sparse.obj"), ("bytes, more than",)),
    ("shape file: face index 1e29", shape_preset("index.obj"), ("vertex",)),
    ("shape file: three equal vertices", shape_preset("point.obj"), ("one point",)),
    ("shape file: coordinates of 1e-320", shape_preset("tiny.obj"), ("no area",)),
    ("shape file: coordinates of 1e300", shape_preset("huge.obj"), ("no area",)),
    ("shape file: a line", shape_preset("line.obj"), ("no area",)),
    ("shape file: a flat STL", shape_preset("flat.stl"), ("no area",)),
    ("shape file: a name with a line break, said by a text view",
     {**shape_preset("a\nb.obj"), "views": [{}, {"name": "t", "modality": "text"}]},
     ("line break",)),
    ("preset: multimodal with one view", {"kind": "multimodal3dident",
                                          "views": [{"material": "Rubber"}]},
     ("n_views = 1", "[2, 16]")),
    ("preset: multimodal with 17 views", {"kind": "multimodal3dident",
                                          "views": [{"name": f"v{k}"} for k in range(17)]},
     ("n_views = 17", "[2, 16]")),
    ("preset: description 5", {"description": 5}, ("description = 5", "text")),
    ("preset: multimodal description a list", {"kind": "multimodal3dident",
                                               "description": ["a"]},
     ("description = ['a']", "text")),
    ("preset: multi description null", {"kind": "multi", "description": None},
     ("description = None", "text")),
    ("preset: FIFO", "fifo.json", ("fifo.json", "not a regular file")),
    ("preset: link to /dev/zero", "zero.json", ("zero.json", "not a regular file")),
    ("preset: folder", "folder.json", ("folder.json", "not a regular file")),
    ("preset: 100 MB", "sparse.json", ("sparse.json", "bytes, more than")),
]
SHAPE_FILE = "object_types[1] = "  # what every shape file's line starts with, after the prefix


@pytest.fixture(scope="module")
def place(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of bad shape files and bad preset files (FIFOs, links to /dev/zero, folders,
    sparse files bigger than allowed, degenerate meshes)."""
    root = tmp_path_factory.mktemp("bad_settings")
    for suffix in ("obj", "json"):
        os.symlink("/dev/zero", root / f"zero.{suffix}")
        os.mkfifo(root / f"fifo.{suffix}")
        (root / f"folder.{suffix}").mkdir()
    with open(root / "sparse.obj", "wb") as file:
        file.truncate(600 << 20)  # no blocks on disk: only its size is big
    with open(root / "sparse.json", "wb") as file:
        file.truncate(100 << 20)
    (root / "index.obj").write_text(TRIANGLE + "f 1 2 1" + "0" * 29 + "\n")
    (root / "point.obj").write_text("v 1 1 1\nv 1 1 1\nv 1 1 1\nf 1 2 3\n")
    (root / "tiny.obj").write_text("v 0 0 0\nv 1e-320 0 0\nv 0 1e-320 0\nf 1 2 3\n")
    (root / "huge.obj").write_text("v 0 0 0\nv 1e300 0 0\nv 0 1e300 0\nf 1 2 3\n")
    (root / "line.obj").write_text("v 0 0 0\nv 1 0 0\nv 2 0 0\nv 3 0 0\nf 1 2 3 4\n")
    (root / "a\nb.obj").write_text(TRIANGLE + "f 1 2 3\n")
    (root / "flat.stl").write_text("solid x\nfacet normal 0 0 1\nouter loop\nvertex 0 0 0\n"
                                   "vertex 1 1 1\nvertex 2 2 2\nendloop\nendfacet\nendsolid x\n")
    return root


def identbox(place: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m identbox ARGS` in the folder; a hang fails the test instead of the run."""
    return subprocess.run([sys.executable, "-m", "identbox", *args], cwd=place, text=True,
                          capture_output=True, timeout=60)


@pytest.mark.parametrize(("preset", "words"), [pytest.param(*case[1:], id=case[0])
                                               for case in CASES])
def test_bad_settings_are_one_line_and_write_nothing(place: Path, tmp_path: Path,
                                                     preset: object,
                                                     words: tuple[str, ...]) -> None:
    if isinstance(preset, str):
        path = place / preset
    else:
        path = tmp_path / "preset.json"
        path.write_text(json.dumps(preset))
    before = tree(place)
    done = identbox(place, "sample", "--preset", str(path), "--out", str(place / "out"))
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert done.returncode == 2, done.stderr[-2000:]
    assert len(lines) == 1 and lines[0].startswith("identbox: error: "), done.stderr[-2000:]
    assert all(w in lines[0] for w in words), lines[0]
    if "object_types" in json.dumps(preset):
        assert lines[0].startswith("identbox: error: " + SHAPE_FILE), lines[0]
    assert tree(place) == before, "something was written"


@pytest.mark.parametrize(("template", "words"), [pytest.param(t, w, id=name)
                                                 for name, t, w in BAD_TEMPLATES + HUGE_TEMPLATES])
def test_the_panels_text_settings_refuse_the_same_templates(template: str, words: str) -> None:
    """The panel builds TextSettings from its view items: the same check, the same line."""
    with pytest.raises(SettingsError, match=r"^templates\[1\] = ") as refused:
        TextSettings(templates=(MULTIMODAL_WORDS, template))
    assert words in str(refused.value) and "\n" not in str(refused.value)


def test_well_formed_templates_still_pass() -> None:
    """Escaped braces, an empty format spec and the five originals are placeholders as before."""
    TextSettings()
    TextSettings(templates=("{{A}} {SHAPE} of {COLOR} at the {YPOS}-{XPOS}.",))
    TextSettings(describe=("shape",), templates=("A {SHAPE:} here.", "A\t{SHAPE}."))
    TextSettings(describe=("shape",), templates=("x" * 990 + "{SHAPE}",))


@pytest.mark.parametrize(("reader", "data", "words"), [
    (read_obj, (TRIANGLE + "f 1 2 1" + "0" * 29).encode(), "vertex"),
    (read_obj, (TRIANGLE + "f 1 2 -1" + "0" * 29).encode(), "vertex"),
    (read_obj, b"v 1 1 1\nv 1 1 1\nv 1 1 1\nf 1 2 3\n", "one point"),
    (read_obj, b"v 0 0 0\nv 1e-320 0 0\nv 0 1e-320 0\nf 1 2 3\n", "no area"),
    (read_obj, b"v 0 0 0\nv 1e300 0 0\nv 0 1e300 0\nf 1 2 3\n", "no area"),
    (read_obj, b"v 0 0 0\nv 1 0 0\nv 2 0 0\nv 3 0 0\nf 1 2 3 4\n", "no area"),
    (read_stl, b"\x00" * 80 + (1).to_bytes(4, "little") + b"\x00" * 50, "one point"),
    (read_ply, b"ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nproperty float y\n"
               b"property float z\nelement face 1\nproperty list uchar int vertex_indices\n"
               b"end_header\n0 0 0\n1 1 1\n2 2 2\n3 0 1 2\n", "no area"),
])
def test_a_degenerate_or_overflowing_mesh_says_what_is_wrong(reader, data: bytes,
                                                             words: str) -> None:
    with pytest.raises(MeshFileError, match=words):
        reader(data)


def test_a_small_or_flat_mesh_still_reads() -> None:
    """A flat plate and a mesh a millionth of a unit across are drawable: only no area is not."""
    plate = read_obj(b"v 0 0 0\nv 1 0 0\nv 1 1 0\nv 0 1 0\nf 1 2 3 4\n")
    assert plate.sizes.tolist() == [4]
    small = read_obj(b"v 0 0 0\nv 1e-6 0 0\nv 0 1e-6 0\nf 1 2 3\n")
    assert np.ptp(small.vertices, axis=0).max() == pytest.approx(1e-6)


def test_a_multimodal_views_list_sets_a_count_the_kind_can_draw() -> None:
    with pytest.raises(SettingsError, match=r"^n_views = 1 is not allowed"):
        MultimodalSettings(views=(ViewSettings("image", IMAGE, "Rubber"),))
    two = MultimodalSettings(views=(ViewSettings("image", IMAGE, "Rubber"),
                                    ViewSettings("words", TEXT)))
    assert two.n_views == 2 and two.sample().n_views == 2
