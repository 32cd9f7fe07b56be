"""Regenerate two_view_files.json: the SHA-256 of every file the published two-view presets
write (latents, manifest) and of a tiny render's images. Only when a change to two-view files
is intended: tests/test_k_views.py holds every later version of IdentBox to these bytes."""

import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from test_k_views import FILES, latent_file_digests, render_digests

with tempfile.TemporaryDirectory() as folder:
    digests = {"latents": latent_file_digests(Path(folder) / "latents"),
               "images": render_digests(Path(folder) / "images")}
FILES.write_text(json.dumps(digests, indent=2, sort_keys=True) + "\n")
print(f"wrote {FILES}")
