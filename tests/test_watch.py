"""A run notices its manifest or latents changing on disk (issue 12 item 9), stops with an
error that names the file and how to put it right, and the reproduce command it names writes
damaged latents again from the manifest."""

from __future__ import annotations

import shlex
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from identbox.dataset.files import watch
from identbox.dataset.files.layout import is_complete_image
from identbox.dataset.files.manifest import file_sha256, read_manifest
from identbox.dataset.writing.writer import holds_dataset, write_latents
from identbox.errors import DatasetError
from identbox.render.loop import RenderJob
from identbox.settings.pairs import DatasetSettings

SETTINGS = DatasetSettings(n_pairs=8)


class EditingRenderer:
    """Draws a blank PNG per view, and calls `edit` after the `after`-th image."""

    def __init__(self, after: int, edit: Callable[[], None]) -> None:
        self.after, self.edit, self.images = after, edit, 0

    def render_view(self, row: object, view: int, path: Path) -> None:
        Image.new("RGB", (2, 2)).save(path, format="PNG")
        self.images += 1
        if self.images == self.after:
            self.edit()

    render_mask = render_depth = render_view  # the job asks for all three


def flip_last_byte(path: Path) -> None:
    """Change a file in place (same inode, as an editor or a stray script would)."""
    with path.open("r+b") as handle:
        handle.seek(-1, 2)
        last = handle.read(1)
        handle.seek(-1, 2)
        handle.write(bytes([last[0] ^ 1]))


def images(root: Path) -> list[Path]:
    return sorted(root.glob("samples/m*/*.png"))


@pytest.mark.parametrize("relative", ["factors/m1/latents.npy", "factors/m2/object_pixels.npy",
                                      "manifest.json"])
def test_a_file_changed_mid_run_stops_it_and_keeps_the_images(tmp_path: Path, monkeypatch,
                                                              relative: str) -> None:
    monkeypatch.setattr(watch, "BUDGET", 1.0)  # check before every pair
    job = RenderJob(SETTINGS, tmp_path)
    changed = tmp_path / relative
    with pytest.raises(DatasetError) as caught:
        job.run(EditingRenderer(after=4, edit=lambda: flip_last_byte(changed)))
    message = str(caught.value)
    assert str(changed) in message and "changed on disk while this run rendered" in message
    assert job.progress().done == 2 and len(job.pending) == 6  # stopped at the next pair
    assert len(images(tmp_path)) == 4 and all(map(is_complete_image, images(tmp_path)))
    if relative == "manifest.json":
        assert "delete it and render again" in message
    else:
        assert f"python -m identbox reproduce {tmp_path / 'manifest.json'} --out {tmp_path}" \
            in message


def test_a_change_after_the_last_check_still_fails_the_run(tmp_path: Path) -> None:
    """However the checks are spaced, a run never ends successfully over changed latents."""
    job = RenderJob(SETTINGS, tmp_path)
    latents = tmp_path / "factors/m2/raw_latents.npy"
    with pytest.raises(DatasetError, match=r"raw_latents\.npy changed"):
        job.run(EditingRenderer(after=16, edit=lambda: flip_last_byte(latents)))
    assert len(images(tmp_path)) == 16


def test_images_are_drawn_from_the_latents_checked_at_the_start(tmp_path: Path) -> None:
    """Rows are read once: an in-place edit cannot reach the images drawn before the watch
    notices it."""
    job = RenderJob(SETTINGS, tmp_path)
    before = job.latents[1].copy()
    flip_last_byte(tmp_path / "factors/m1/latents.npy")
    assert (job.latents[1] == before).all()


def test_damaged_latents_are_written_again_from_the_manifest(tmp_path: Path) -> None:
    """The error offers `reproduce`, not deleting the folder; with `restore` (what reproduce
    does) the damaged and missing files come back byte for byte, images untouched."""
    write_latents(SETTINGS, tmp_path)
    manifest = read_manifest(tmp_path / "manifest.json")
    image = tmp_path / "samples/m1/000000.png"
    image.parent.mkdir(parents=True)
    Image.new("RGB", (2, 2)).save(image)
    damaged, missing = tmp_path / "factors/m1/latents.npy", tmp_path / "factors/m2/raw_latents.npy"
    flip_last_byte(damaged)
    missing.unlink()
    with pytest.raises(DatasetError) as caught:
        holds_dataset(tmp_path, SETTINGS)
    assert "reproduce" in str(caught.value) and "delete" not in str(caught.value)
    command = shlex.split(str(caught.value).rsplit(": ", 1)[1])
    assert command[:4] == ["python", "-m", "identbox", "reproduce"]
    assert Path(command[4]) == tmp_path / "manifest.json" and Path(command[6]) == tmp_path

    result = write_latents(SETTINGS, tmp_path, restore=True)
    assert result.status == "restored" and set(result.restored) == {damaged, missing}
    for key, expected in manifest["latents"]["sha256"].items():
        assert file_sha256(tmp_path / "factors" / key) == expected
    assert image.exists() and holds_dataset(tmp_path, SETTINGS)


def test_a_deleted_manifest_is_written_again_when_the_latents_match(tmp_path: Path) -> None:
    """What the error for a changed manifest advises: delete it and render again."""
    job = RenderJob(SETTINGS, tmp_path)
    job.run(EditingRenderer(after=0, edit=lambda: None))
    manifest = (tmp_path / "manifest.json").read_bytes()
    (tmp_path / "manifest.json").unlink()
    assert write_latents(SETTINGS, tmp_path).status == "written"
    assert (tmp_path / "manifest.json").read_bytes() == manifest
    other = SETTINGS.replace(seed=5)
    (tmp_path / "manifest.json").unlink()
    with pytest.raises(DatasetError, match="other latents"):
        write_latents(other, tmp_path)
