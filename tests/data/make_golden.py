"""Regenerate golden_digests.json: only when a change to the sampled streams is intended."""

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from test_reproducibility import GOLDEN, digest, golden_settings

from identbox.presets import preset_names

digests = {name: digest(golden_settings(name)) for name in preset_names()}
GOLDEN.write_text(json.dumps(digests, indent=2, sort_keys=True) + "\n")
print(f"wrote {GOLDEN}")
