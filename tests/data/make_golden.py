"""Regenerate golden_digests.json (the one store of recorded latents and files, see
tests/test_reproducibility.py): only when a change to the sampled streams is intended."""

import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from test_reproducibility import GOLDEN, golden_entry

from identbox.presets import preset_names

with tempfile.TemporaryDirectory() as folder:
    entries = {name: golden_entry(name, Path(folder)) for name in preset_names()}
GOLDEN.write_text(json.dumps(entries, indent=1, sort_keys=True) + "\n")
print(f"wrote {GOLDEN}")
