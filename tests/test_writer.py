"""The dataset writer: atomic files, no half-written dataset, no writing over another one."""

from __future__ import annotations

from pathlib import Path

import pytest

from identbox.dataset import writer
from identbox.errors import DatasetError
from identbox.settings import DatasetSettings


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


def test_existing_output_folder_with_other_files_is_kept(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    assert writer.write_latents(DatasetSettings(n_pairs=3), tmp_path).status == "written"
    assert (tmp_path / "notes.txt").read_text() == "mine"


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


def test_tampered_latents_are_detected(tmp_path: Path) -> None:
    settings = DatasetSettings(n_pairs=3)
    writer.write_latents(settings, tmp_path)
    (tmp_path / "factors/m2/raw_latents.npy").write_bytes(b"garbage")
    with pytest.raises(DatasetError, match="does not match"):
        writer.write_latents(settings, tmp_path)
