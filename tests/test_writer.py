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


def test_folders_with_dataset_files_but_no_manifest_are_refused(tmp_path: Path) -> None:
    (tmp_path / "samples" / "m1").mkdir(parents=True)
    with pytest.raises(DatasetError, match=r"no manifest\.json"):
        writer.write_latents(DatasetSettings(n_pairs=3), tmp_path)


def test_tampered_latents_are_detected(tmp_path: Path) -> None:
    settings = DatasetSettings(n_pairs=3)
    writer.write_latents(settings, tmp_path)
    (tmp_path / "factors/m2/raw_latents.npy").write_bytes(b"garbage")
    with pytest.raises(DatasetError, match="does not match"):
        writer.write_latents(settings, tmp_path)
