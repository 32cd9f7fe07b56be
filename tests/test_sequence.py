"""The sequence kind: latents of the whole sequence sampled once and written with their
interventions and noise; frames rendered, resumed after a kill, and validated."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from identbox.dataset.checking.check import validate_dataset
from identbox.dataset.files.layout import is_complete_image
from identbox.dataset.files.manifest import file_sha256
from identbox.dataset.writing.sequence_writer import (
    INTERVENTIONS,
    LATENTS,
    NOISE,
    SEQUENCE_FORMAT,
    write_sequence,
)
from identbox.errors import DatasetError, SettingsError
from identbox.sampling.citris import LATENT_NAMES
from identbox.sampling.mechanisms import Interventions
from identbox.sampling.sequences import replay
from identbox.settings.kinds import kind_of, settings_from_dict
from identbox.settings.sequence import SequenceSettings


def identbox(*args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "identbox", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=timeout)


def files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def failed(root: Path) -> list[str]:
    return [c.name for c in validate_dataset(root) if not c.ok]


def test_settings_round_trip_and_refuse_bad_values() -> None:
    settings = settings_from_dict({"kind": "sequence", "n_shapes": 7, "n_frames": 20,
                                   "n_episodes": 2, "instantaneous": True})
    assert kind_of(settings).name == "sequence" and kind_of(settings).unit == "frames"
    assert settings.object_types[0] == "teapot" and len(settings.object_types) == 7
    assert settings.stand_ins()["armadillo"] == "sphere"  # named in the log and manifest
    assert settings_from_dict(json.loads(json.dumps(settings.to_dict()))) == settings
    assert SequenceSettings().probability() == pytest.approx(1 / 7)  # 6 groups, one shape
    assert SequenceSettings(n_shapes=7).probability() == pytest.approx(1 / 8)
    for bad in ({"n_shapes": 3}, {"model": "other"}, {"intervention_probability": 1.5},
                {"n_frames": 0}, {"object_types": ["teapot", "cube"]},
                {"single_target": True, "intervention_probability": 0.2}, {"colour": 1}):
        with pytest.raises(SettingsError):
            SequenceSettings.from_dict(bad)


def test_files_hold_the_sequence_its_targets_and_noise(tmp_path: Path) -> None:
    settings = SequenceSettings(n_frames=400, n_episodes=3, seed=5)
    root, frames, written = write_sequence(settings, tmp_path / "d")
    assert (frames, written) == (1200, True)
    manifest = json.loads((root / "manifest.json").read_text())
    assert manifest["format"] == SEQUENCE_FORMAT
    assert manifest["columns"] == [*LATENT_NAMES, "shape"]
    for name in (LATENTS, INTERVENTIONS, NOISE):
        assert manifest["sha256"][name] == file_sha256(root / name)
    latents, targets, noise = (np.load(root / n) for n in (LATENTS, INTERVENTIONS, NOISE))
    assert latents.shape == targets.shape == noise.shape == (1200, 11)
    assert targets.dtype == np.uint8 and set(np.unique(targets)) <= {0, 1}
    assert not targets[::400].any()  # an episode's first frame has no targets
    # Groups are targeted together (pos x, y, z), rot_gamma never, each with probability p.
    assert np.array_equal(targets[:, 0], targets[:, 2]) and not targets[:, 5].any()
    rate = targets.reshape(3, 400, 11)[:, 1:, [0, 3, 6, 7, 8, 9]].mean()
    assert abs(rate - 1 / 7) < 0.02
    assert np.abs(latents[:, :3]).max() <= 2.0 and latents[:, 5].max() == 0.0
    assert (latents[:, 6:10] >= 0).all() and (latents[:, 6:10] < 2 * np.pi).all()
    # Replaying the stored noise with the stored targets (values from the latents) gives the
    # sequence back bit for bit.
    model = settings.causal_model()
    values, mask, u = (a.reshape(3, 400, 11) for a in (latents, targets == 1, noise))
    again = replay(model, u, Interventions(mask[:, 1:], np.where(mask[:, 1:], values[:, 1:], 0)))
    assert np.array_equal(again, values)
    # The same settings keep the files; other settings are refused.
    assert write_sequence(settings, root) == (root, 1200, False)
    with pytest.raises(DatasetError, match="different sequence dataset"):
        write_sequence(settings.replace(seed=6), root)


def test_validate_catches_a_tampered_latent_row(tmp_path: Path) -> None:
    settings = SequenceSettings(n_frames=30, n_episodes=2, n_shapes=7, single_target=True)
    root, _, _ = write_sequence(settings, tmp_path / "d")
    assert failed(root) == ["60 complete images"]  # nothing rendered yet: all else holds
    latents = np.load(root / LATENTS)
    latents[40, 7] = (latents[40, 7] + 1.0) % (2 * np.pi)  # hue_object of frame 40
    np.save(root / LATENTS, latents)
    found = failed(root)
    assert f"{LATENTS} matches the manifest" in found
    assert "re-sampling the settings gives the stored latents, interventions and noise" in found
    checks = {c.name: c for c in validate_dataset(root)}
    mechanisms = checks["variables that are not targets follow their mechanisms given the "
                        "stored noise"]
    assert not mechanisms.ok and "frame 40" in mechanisms.detail


@pytest.mark.blender
def test_render_validate_and_strays(tmp_path: Path) -> None:
    preset = tmp_path / "tiny.json"
    preset.write_text(json.dumps({"kind": "sequence", "n_frames": 6, "n_episodes": 2,
                                  "n_shapes": 7, "seed": 3, "n_independent": 3,
                                  "render": {"resolution": 32, "samples": 2}}))
    out = identbox("render", "--preset", str(preset), "--n-triplets", "3", "--out", "d",
                   cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "18/18 frames" in out.stderr and "armadillo drawn as sphere" in out.stderr
    root = tmp_path / "d"
    assert files(root / "samples") == [f"{i:06d}.png" for i in range(12)]
    assert files(root / "independent") == [f"{i:06d}.png" for i in range(3)]
    assert files(root / "triplets") == [f"{i:06d}.png" for i in range(3)]
    checked = identbox("validate", "d", "--json", cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout
    assert "each triplet's third frame" in checked.stdout
    # Every part's images are looked at against their own latents: two independent frames or
    # two triplets' images swapped passed when only the frames were decoded.
    for folder, one, two in (("independent", 0, 2), ("triplets", 0, 2)):
        first, second = root / folder / f"{one:06d}.png", root / folder / f"{two:06d}.png"
        kept = first.read_bytes()
        first.write_bytes(second.read_bytes())
        second.write_bytes(kept)
        looks = [c for c in validate_dataset(root) if "sampled images show" in c.name]
        assert any(not c.ok and f"{folder}/" in c.detail for c in looks), looks
        second.write_bytes(first.read_bytes())
        first.write_bytes(kept)
    assert not failed(root)
    (root / "samples" / "000012.png").write_bytes((root / "samples" / "000000.png").read_bytes())
    (root / "triplets" / "000003.png").write_bytes((root / "samples" / "000000.png").read_bytes())
    (root / "samples" / "000003.png").unlink()
    (root / "independent" / "000001.png").unlink()
    found = failed(root)
    beyond = "no numbered images beyond the 12 frames, 3 independent frames and 3 triplets"
    assert "18 complete images" in found and beyond in found
    report = json.loads(identbox("validate", "d", "--json", cwd=tmp_path).stdout)
    detail = next(c for c in report["checks"] if c["name"] == "18 complete images")["detail"]
    assert "2 missing" in detail and "samples/000003.png" in detail


@pytest.mark.blender
def test_a_killed_render_resumes_to_identical_files(tmp_path: Path) -> None:
    preset = tmp_path / "seq.json"
    preset.write_text(json.dumps({"kind": "sequence", "n_frames": 60, "n_episodes": 2,
                                  "seed": 1, "render": {"resolution": 32, "samples": 16}}))
    killed = subprocess.Popen([sys.executable, "-m", "identbox", "render", "--preset",
                               str(preset), "--out", "k"], cwd=tmp_path,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    samples = tmp_path / "k/samples"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and killed.poll() is None:
        if samples.exists() and len([p for p in samples.iterdir() if p.suffix == ".png"]) >= 3:
            break
        time.sleep(0.005)
    assert killed.poll() is None, "the run finished before it could be killed"
    killed.send_signal(signal.SIGKILL)
    killed.wait()
    done_before = list(samples.glob("*.png"))
    assert 0 < len(done_before) < 120
    assert all(is_complete_image(p) for p in done_before)

    for out in ("k", "whole"):
        run = identbox("render", "--preset", str(preset), "--out", out, cwd=tmp_path)
        assert run.returncode == 0, run.stderr
    k, whole = tmp_path / "k", tmp_path / "whole"
    assert files(k) == files(whole) and len(files(k)) == 124  # 120 frames, 3 factors, manifest
    assert all((k / rel).read_bytes() == (whole / rel).read_bytes() for rel in files(k))
    assert not failed(k)


def test_a_pair_count_is_one_line_and_sample_writes_the_files(tmp_path: Path) -> None:
    (tmp_path / "s.json").write_text(json.dumps({"kind": "sequence", "n_frames": 10}))
    done = identbox("sample", "--preset", "s.json", "--n-pairs", "5", "--out", "d",
                    cwd=tmp_path)
    assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr
    assert "no --n-pairs for a sequence dataset" in done.stderr
    assert not (tmp_path / "d").exists()
    # `sample` writes the sequence's files, the very ones `render` writes before its images.
    sampled = identbox("sample", "--preset", "s.json", "--out", "e", cwd=tmp_path)
    assert sampled.returncode == 0, sampled.stderr
    assert "wrote the latents, interventions and noise of 10 frames" in sampled.stdout
    written = {p.name: p.read_bytes() for p in (tmp_path / "e").rglob("*") if p.is_file()}
    root, _, _ = write_sequence(SequenceSettings(n_frames=10), tmp_path / "f")
    assert written == {p.name: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    again = identbox("sample", "--preset", "s.json", "--out", "e", cwd=tmp_path)
    assert "already holds this sequence" in again.stdout


@pytest.mark.blender
def test_validate_projects_each_shape_where_blender_stands_it() -> None:
    """The object's centre that validate looks at is where the scene puts it: each built-in
    shape's size (model/shapes.py) is the one Blender's meshes have."""
    from identbox.model.shapes import largest_dimension
    from identbox.scene.builder import fixed_scene
    from identbox.scene.multimodal import shape_switching_object

    types = ("teapot", "sphere", "torus", "cube", "cone", "monkey", "cylinder")
    scene, *_, materials = fixed_scene("IdentBox shape sizes", "test")
    _, _, sizes = shape_switching_object(scene, types, materials["Rubber"], "test")
    assert [largest_dimension(kind) for kind in types] == pytest.approx(sizes, rel=1e-5)
    assert largest_dimension("/data/bunny.obj") is None


def test_a_long_draw_says_its_time_first_and_ctrl_c_leaves_nothing(tmp_path: Path) -> None:
    """Two million frames of one episode are drawn one step after another, for minutes with
    nothing to see: the time is said before (scaled from 256 frames), and Ctrl+C then ends it
    with no folder left."""
    proc = subprocess.Popen([sys.executable, "-m", "identbox", "sample", "--preset",
                             "temporal_causal3dident", "--n-frames", "2000000", "--out", "d"],
                            cwd=tmp_path, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    said = proc.stderr.readline()
    proc.send_signal(signal.SIGINT)
    rest = proc.communicate(timeout=60)[1]
    took = re.search(r"items = 2000000 takes about (\d+) min here \(.* of memory, .* of files\)",
                     said)
    assert took and 2 <= int(took[1]) <= 60, said  # 0.3 ms a frame here: 10 min
    assert proc.returncode == 130 and "interrupted" in rest, rest
    assert not (tmp_path / "d").exists()
