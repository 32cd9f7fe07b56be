"""The dataset writer: atomic files, no half-written dataset, no writing over another one."""

from __future__ import annotations

from pathlib import Path

import pytest

from identbox.dataset.writing import writer
from identbox.dataset.writing.writer import matching_manifest, write_latents
from identbox.errors import DatasetError
from identbox.settings.pairs import DatasetSettings


def test_a_failure_mid_write_leaves_nothing(tmp_path: Path, monkeypatch) -> None:
    calls = []
    real = writer.atomic_write_bytes

    def fail_on_third(path: Path, data: bytes) -> None:
        calls.append(path)
        if len(calls) == 3:
            raise OSError(28, "No space left on device")
        real(path, data)

    monkeypatch.setattr(writer, "atomic_write_bytes", fail_on_third)
    with pytest.raises(OSError):
        writer.write_latents(DatasetSettings(n_pairs=10), tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_an_interrupted_file_write_leaves_no_partial_file(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "f.npy"
    target.write_bytes(b"old")

    def broken_replace(src: str, dst: Path) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(writer.os, "replace", broken_replace)
    with pytest.raises(KeyboardInterrupt):
        writer.atomic_write_bytes(target, b"new contents")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.npy"]


def test_existing_output_folder_with_other_files_is_refused_and_kept(tmp_path: Path) -> None:
    """A folder holding the user's own files is not a dataset folder (issue 12): refused,
    and left as it was."""
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(DatasetError, match="not empty"):
        writer.write_latents(DatasetSettings(n_pairs=3), tmp_path)
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_folders_with_images_but_no_manifest_are_refused(tmp_path: Path) -> None:
    (tmp_path / "samples" / "m1").mkdir(parents=True)
    with pytest.raises(DatasetError, match=r"no manifest\.json"):
        writer.write_latents(DatasetSettings(n_pairs=3), tmp_path)


def test_latents_left_without_a_manifest_are_completed_if_identical(tmp_path: Path) -> None:
    settings = DatasetSettings(n_pairs=4)
    writer.write_latents(settings, tmp_path / "whole")
    part = tmp_path / "part"
    (part / "factors/m1").mkdir(parents=True)  # as an interrupted (or concurrent) run leaves it
    (part / "factors/m1/latents.npy").write_bytes((tmp_path / "whole/factors/m1/latents.npy")
                                                 .read_bytes())
    assert writer.write_latents(settings, part).status == "written"
    assert (part / "manifest.json").read_bytes() == (tmp_path / "whole/manifest.json").read_bytes()
    with pytest.raises(DatasetError, match="other latents"):
        other = tmp_path / "other"
        (other / "factors/m1").mkdir(parents=True)
        (other / "factors/m1/latents.npy").write_bytes(b"not these")
        writer.write_latents(settings, other)


def test_a_different_dataset_names_what_differs(tmp_path: Path) -> None:
    settings = DatasetSettings(n_pairs=4)
    writer.write_latents(settings, tmp_path)
    changed = settings.replace(seed=3, render=settings.render.__class__(resolution=64))
    with pytest.raises(DatasetError) as caught:
        writer.write_latents(changed, tmp_path)
    assert "render.resolution: 128 there, 64 asked" in str(caught.value)
    assert "seed: 0 there, 3 asked" in str(caught.value)
    # A long value (a list of edges) is its length, so the message stays one readable line.
    edges = [{"parent": "hue_spot", "child": "hue_object", "strength": 0.4},
             {"parent": "pos_x", "child": "hue_spot", "strength": 0.2}]
    with pytest.raises(DatasetError) as caught:
        writer.write_latents(DatasetSettings.from_dict({**settings.to_dict(),
                                                        "causal_edges": edges}), tmp_path)
    assert "causal_edges: [] there, 2 entries asked" in str(caught.value)
    assert len(str(caught.value)) < 250


def test_tampered_latents_are_detected(tmp_path: Path) -> None:
    settings = DatasetSettings(n_pairs=3)
    writer.write_latents(settings, tmp_path)
    (tmp_path / "factors/m2/raw_latents.npy").write_bytes(b"garbage")
    with pytest.raises(DatasetError, match="does not match"):
        writer.write_latents(settings, tmp_path)


def test_latents_and_manifest_get_the_umasks_permissions(tmp_path: Path) -> None:
    """Colleagues on a shared cluster read the latents as they read the images: the files are
    0666 less the umask (0644 here), not mkstemp's 0600."""
    import os
    import stat

    old = os.umask(0o022)
    try:
        write_latents(DatasetSettings(n_pairs=3), tmp_path / "d")
    finally:
        os.umask(old)
    for path in [tmp_path / "d" / "manifest.json", *(tmp_path / "d" / "factors").rglob("*.npy")]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o644, path


def test_dangerous_output_folders_are_refused(tmp_path: Path) -> None:
    """The file system root, the home folder and a folder holding other things are refused;
    an interrupted run's own leftovers are not strangers."""
    from identbox.errors import DatasetError

    for folder in (Path("/"), Path.home()):
        with pytest.raises(DatasetError, match="choose a folder of its own"):
            write_latents(DatasetSettings(n_pairs=2), folder)
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "thesis.tex").write_text("mine")
    with pytest.raises(DatasetError, match=r"not empty and holds no IdentBox dataset \(thesis"):
        write_latents(DatasetSettings(n_pairs=2), busy)
    assert sorted(p.name for p in busy.iterdir()) == ["thesis.tex"]  # nothing written
    leftover = tmp_path / "leftover"
    (leftover / "slurm").mkdir(parents=True)
    assert write_latents(DatasetSettings(n_pairs=2), leftover).status == "written"


def test_a_dataset_renamed_or_redescribed_is_still_the_same_dataset(tmp_path: Path) -> None:
    """Add Preset names the settings; the folder written under the old name stays theirs."""
    settings = DatasetSettings(n_pairs=5, seed=2)
    write_latents(settings, tmp_path / "d")
    renamed = settings.replace(name="my_teapots", description="renamed in the panel")
    assert matching_manifest(tmp_path / "d", renamed) is not None
    with pytest.raises(DatasetError, match="seed: 2 there, 3 asked"):
        matching_manifest(tmp_path / "d", renamed.replace(seed=3))


def test_two_runs_into_one_new_folder_take_turns(tmp_path: Path, monkeypatch) -> None:
    """Run A stops just before its first file; run B, with other settings, starts into the
    same new folder. B waits for A (without that, B's latents and A's manifest were left
    together: a dataset whose files do not match its manifest), then refuses."""
    import json
    import threading

    from identbox.dataset.writing.writer import damaged_latents

    real = writer.atomic_write_bytes
    a_writing, b_writing = threading.Event(), threading.Event()

    def paused(path: Path, data: bytes) -> None:
        if threading.current_thread().name == "A" and not a_writing.is_set():
            a_writing.set()
            b_writing.wait(timeout=1.5)  # B writes meanwhile, unless it waits for A
        elif threading.current_thread().name == "B":
            b_writing.set()
        real(path, data)

    monkeypatch.setattr(writer, "atomic_write_bytes", paused)
    out, outcome = tmp_path / "new", {}

    def run(name: str, settings: DatasetSettings) -> None:
        try:
            outcome[name] = write_latents(settings, out).status
        except DatasetError as error:
            outcome[name] = str(error)

    first = threading.Thread(target=run, name="A", args=("A", DatasetSettings(n_pairs=10)))
    first.start()
    assert a_writing.wait(timeout=30)
    second = threading.Thread(target=run, name="B",
                              args=("B", DatasetSettings(n_pairs=12, seed=1)))
    second.start()
    first.join(timeout=60)
    second.join(timeout=60)
    assert outcome["A"] == "written", outcome
    assert "already holds a different dataset" in outcome["B"], outcome
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["settings"]["n_pairs"] == 10
    assert damaged_latents(out, manifest) == []


def test_the_factor_files_are_measured_before_they_are_drawn(tmp_path: Path) -> None:
    """The bytes probed on 256 pairs, scaled, are the bytes written (within 1%); a machine
    with less memory than sampling needs is refused before anything is drawn or written."""
    from identbox.dataset.files.footprint import Probe, check_footprint, probe
    from identbox.dataset.writing.writer import latent_blobs
    from identbox.presets import load_preset

    settings = load_preset("three_views_camera").replace(n_pairs=3000)
    written = sum(len(blob) for blob in latent_blobs(settings).values())
    probed = probe(3000, lambda k: sum(
        len(blob) for blob in latent_blobs(settings.replace(n_pairs=k)).values()))
    assert abs(probed.file_bytes - written) <= 0.01 * written
    with pytest.raises(DatasetError, match=r"needs about .* of memory.*0\.1 MB is available"):
        check_footprint(tmp_path, Probe(written, 1.0), "n_pairs = 3000", memory=lambda: 100_000)
    check_footprint(tmp_path, Probe(written, 1.0), "n_pairs = 3000", memory=lambda: 10 * written)
    assert list(tmp_path.iterdir()) == []
