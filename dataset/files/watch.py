"""Notice, while a run renders, that its dataset's manifest or latents changed on disk.

Images drawn from latents that no longer match the dataset's files would be wrong without any
sign of it, so the render loop asks, before each pair, whether a check is due: the manifest's
bytes against those the run started from, and every latent file against the SHA-256 the
manifest records. Checks are spaced so that they take at most BUDGET of the run's time.
"""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

from ...errors import DatasetChangedError
from ..writing.writer import restore_command
from .layout import MANIFEST, latent_paths, manifest_latent_files
from .manifest import file_sha256

BUDGET = 0.01  # share of a run's time spent checking its files


def _sha256_or_none(path: Path) -> str | None:
    try:
        return file_sha256(path)
    except OSError:
        return None


class LatentsWatch:
    """The manifest and every view's latent files of one pair dataset, as a run found them at
    its start."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.manifest = root / MANIFEST
        data = self.manifest.read_bytes()
        self.manifest_sha256 = hashlib.sha256(data).hexdigest()
        manifest = json.loads(data.decode("utf-8"))
        recorded = manifest["latents"]["sha256"]
        self.expected = {path: recorded.get(key)
                         for key, path in latent_paths(root,
                                                       manifest_latent_files(manifest)).items()}
        self.started = time.perf_counter()
        self.spent = 0.0
        self.checks = 0

    def check(self) -> None:
        """DatasetError naming the first file that changed, and how to put it right."""
        start = time.perf_counter()
        try:
            if _sha256_or_none(self.manifest) != self.manifest_sha256:
                raise DatasetChangedError(
                    f"{self.manifest} changed on disk while this run rendered (another run, or "
                    "an edit?); stopped, the images drawn are kept. If it was damaged, delete "
                    "it and render again with the same settings: it is written anew when the "
                    "latents match them")
            for path, expected in self.expected.items():
                if _sha256_or_none(path) != expected:
                    raise DatasetChangedError(
                        f"{path} changed on disk while this run rendered: it no longer matches "
                        f"the SHA-256 in {self.manifest}; stopped, the images drawn are kept. "
                        f"Write the latents again from the manifest (this also resumes the "
                        f"render): {restore_command(self.root)}")
        finally:
            self.spent += time.perf_counter() - start
            self.checks += 1

    def check_if_due(self) -> None:
        """Check unless the checks so far already took BUDGET of the run's time."""
        if self.spent <= BUDGET * (time.perf_counter() - self.started):
            self.check()
