"""New kinds of dataset, each defined outside the package in one module with one registration,
work end to end: presets and the command line read their settings, `render` draws them,
`validate` checks them (images against factors) and the loader reads them. One has the pairs'
layout (tests/kinds/one_colour_kind.py); one has a layout of its own, frames like the sequence's,
and its own export format (tests/kinds/colour_frames_kind.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
from conftest import run_blender

from identbox.dataset.loading.loader import IdentBoxPairs

# The whole kind, in a module of its own: nothing in the package is edited for it.
KINDS = Path(__file__).resolve().parent / "kinds"


def kinds_env() -> dict[str, str]:
    """This process's environment with the kinds' folder first on the import path."""
    return dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(KINDS), *filter(None, [os.environ.get("PYTHONPATH")])]))


def identbox_with_kind(tmp_path: Path, *args: str,
                       module: str = "one_colour_kind") -> subprocess.CompletedProcess[str]:
    """`python -m identbox ARGS` in a process that imported the new kind's module first."""
    code = (f"import sys, {module}\nfrom identbox.cli import main\n"
            "sys.exit(main(sys.argv[1:]))")
    return subprocess.run([sys.executable, "-c", code, *args], cwd=tmp_path, env=kinds_env(),
                          capture_output=True, text=True, timeout=300)


def test_a_new_kind_renders_validates_and_loads(tmp_path: Path) -> None:
    preset = tmp_path / "one_colour.json"
    preset.write_text(json.dumps({"kind": "one_colour", "n_pairs": 5, "seed": 3,
                                  "render": {"resolution": 16}}))
    out = tmp_path / "data"
    rendered = identbox_with_kind(tmp_path, "render", "--preset", str(preset), "--out", str(out))
    assert rendered.returncode == 0, rendered.stderr
    assert "5/5 pairs" in rendered.stderr
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["settings"]["kind"] == "one_colour"
    assert manifest["columns"][0]["name"] == "hue_background"

    checked = identbox_with_kind(tmp_path, "validate", str(out), "--json")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    report = json.loads(checked.stdout)
    names = [check["name"] for check in report["checks"]]
    assert any("ground hue" in name for name in names), names  # images checked against latents

    # Swapping two pairs' images must fail the same check: validate really looked.
    for view in ("m1", "m2"):
        first, third = (out / "samples" / view / f"{i:06d}.png" for i in (0, 2))
        first_bytes = first.read_bytes()
        first.write_bytes(third.read_bytes())
        third.write_bytes(first_bytes)
    swapped = identbox_with_kind(tmp_path, "validate", str(out), "--json")
    assert swapped.returncode == 1
    failed = [c["name"] for c in json.loads(swapped.stdout)["checks"] if not c["ok"]]
    assert any("ground hue" in name for name in failed), failed

    pairs = IdentBoxPairs(out, tensors=False)
    x1, x2, z1, z2 = pairs[1]
    assert len(pairs) == 5 and x1.shape == (16, 16, 3) and np.array_equal(x1, x2)
    assert z1.shape == (1,) and np.array_equal(z1, z2)


def test_a_kind_with_a_layout_of_its_own_renders_validates_loads_and_exports(
        tmp_path: Path) -> None:
    """Frames of one colour (factors/hues.npy, frames/NNNNNN.png, a format of their own):
    `sample` and `render` write them through the kind's parts, `validate` looks at the frames,
    `open_dataset` finds the kind's loader, `export` its own format and no other."""
    def frames(*args: str) -> subprocess.CompletedProcess[str]:
        return identbox_with_kind(tmp_path, *args, module="colour_frames_kind")

    (tmp_path / "p.json").write_text(json.dumps({"kind": "colour_frames", "n_frames": 6,
                                                 "seed": 2, "render": {"resolution": 16}}))
    sampled = frames("sample", "--preset", "p.json", "--n-frames", "4", "--out", "s")
    assert sampled.returncode == 0 and "wrote the hues of 4 frames" in sampled.stdout, sampled
    assert sorted(p.name for p in (tmp_path / "s").rglob("*")) == [
        "factors", "hues.npy", "manifest.json"]
    refused = frames("sample", "--preset", "p.json", "--n-pairs", "4", "--out", "s2")
    assert refused.returncode == 2 and "no --n-pairs for a colour_frames dataset" in \
        refused.stderr and not (tmp_path / "s2").exists()

    rendered = frames("render", "--preset", "p.json", "--out", "d")
    assert rendered.returncode == 0 and "6/6 frames" in rendered.stderr, rendered.stderr
    root = tmp_path / "d"
    assert sorted(p.name for p in (root / "frames").iterdir()) == [
        f"{i:06d}.png" for i in range(6)]
    checked = frames("validate", "d", "--json")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    hues = np.load(root / "factors" / "hues.npy")
    gap = np.abs((hues[:, None] - hues[None, :] + np.pi) % (2 * np.pi) - np.pi)
    i, j = np.unravel_index(np.argmax(gap), gap.shape)  # the two frames furthest apart
    one, two = root / "frames" / f"{i:06d}.png", root / "frames" / f"{j:06d}.png"
    kept = one.read_bytes()
    one.write_bytes(two.read_bytes())
    two.write_bytes(kept)
    swapped = frames("validate", "d", "--json")
    failed = [c for c in json.loads(swapped.stdout)["checks"] if not c["ok"]]
    assert swapped.returncode == 1 and [c["name"] for c in failed] == [
        "sampled frames show their own hue"], failed
    two.write_bytes(one.read_bytes())
    one.write_bytes(kept)

    loaded = subprocess.run(
        [sys.executable, "-c", "import colour_frames_kind, sys\n"
         "from identbox.dataset import open_dataset\n"
         "d = open_dataset(sys.argv[1]); image, hue = d[3]\n"
         "print(type(d).__name__, len(d), image.shape, hue)", str(root)],
        env=kinds_env(), capture_output=True, text=True,
        timeout=120)
    name, count, *_, hue = loaded.stdout.split()
    assert (name, count) == ("ColourFrames", "6") and float(hue) == hues[3], loaded.stderr

    exported = frames("export", "d", "--format", "colour_frames_npz", "--out", "e")
    assert exported.returncode == 0, exported.stderr
    with np.load(tmp_path / "e" / "frames.npz") as npz:
        assert npz["images"].shape == (6, 16, 16, 3) and np.array_equal(npz["hues"], hues)
    other = frames("export", "d", "--format", "webdataset", "--out", "w")
    assert other.returncode == 2 and "exports with --format colour_frames_npz" in other.stderr
    assert not (tmp_path / "w").exists()


def test_an_unregistered_kind_is_one_clear_line(tmp_path: Path) -> None:
    preset = tmp_path / "p.json"
    preset.write_text(json.dumps({"kind": "one_colour"}))
    done = subprocess.run([sys.executable, "-m", "identbox", "sample", "--preset", str(preset),
                           "--out", str(tmp_path / "o")], capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.strip() == textwrap.dedent(
        "identbox: error: kind = 'one_colour' is not allowed: one of pairs, multi, cube, "
        "multimodal3dident, sequence")


def test_every_part_of_every_kind_loads() -> None:
    """Each kind's parts named in the table (writer, job, validator, estimate, sample, ...)
    import and are callable: a typo in a part's string surfaced only when it was used. The
    parts that need Blender (renderer, preview) are checked in the Blender tests."""
    import dataclasses
    import inspect

    from identbox.settings.kinds import kinds, load

    # Arguments each part is called with (settings/parts.py): each loaded part must take them.
    calls: dict[str, tuple[tuple[object, ...], dict[str, object]]] = {
        "write": (("settings", "root"), {}), "sample": (("settings", "root", None), {}),
        "job": (("settings", "root", "options"), {}),
        "validate": (("root", 32), {}), "complete": (("root", "settings", 0), {}),
        "estimate": (("settings", "options"), {}), "placement": (("settings",), {}),
        "loader": (("root",), {}), "from_props": (("props",), {}),
        "to_props": (("settings", "props"), {})}
    needs_blender = {"renderer", "preview"}
    for kind in kinds():
        parts = {field.name: getattr(kind, field.name) for field in dataclasses.fields(kind)}
        if kind.panel is not None:  # the sidebar's conversions (plain: settings/panel.py)
            parts |= {"from_props": kind.panel.from_props, "to_props": kind.panel.to_props}
        for name, part in parts.items():
            if name in needs_blender or not (isinstance(part, str) and ":" in part):
                continue
            loaded = load(part)
            assert callable(loaded), (kind.name, name, part)
            args, keywords = calls[name]
            inspect.signature(loaded).bind(*args, **keywords)  # TypeError: wrong arguments


def test_the_sidebar_offers_the_kinds_its_table_says() -> None:
    """The Mode buttons, their order and numbers (what a .blend file stores), and each mode's
    kind come from the kinds table: Pairs, Objects, Sequence, Cube; Multimodal3DIdent is
    offered by presets and the command line only."""
    from identbox.settings.kinds import kind_of_mode, panel_kinds

    offered = [(k.panel.mode, k.panel.number, k.name) for k in panel_kinds() if k.panel]
    assert offered == [("PAIRS", 0, "pairs"), ("OBJECTS", 1, "multi"),
                       ("SEQUENCE", 2, "sequence"), ("CUBE", 3, "cube")]
    assert all(kind_of_mode(mode).name == name for mode, _, name in offered)


@pytest.mark.blender
def test_the_blender_parts_of_every_kind_load(tmp_path: Path) -> None:
    """The renderer and preview parts of every kind import where Blender runs."""
    result = run_blender("""
        from identbox.settings.kinds import kinds, load
        loaded = {f"{kind.name}.{name}": callable(load(getattr(kind, name)))
                  for kind in kinds() for name in ("renderer", "preview")
                  if getattr(kind, name) is not None}
        report({"loaded": loaded})
    """, tmp_path)
    assert result["loaded"] and all(result["loaded"].values()), result
