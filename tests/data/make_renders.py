"""Draw the reference renders in tests/data/renders again: only when a change to the rendered
look is intended (then say so in the commit). Prints how far a render with another Cycles seed
lies from the new references, the noise the tolerances in tests/render_reference.py must allow."""

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import render_reference as rr

with tempfile.TemporaryDirectory() as work:
    for name in rr.PRESETS:
        rr.store(rr.render(Path(work) / "reference", name), rr.REFERENCE / name)
        noise = rr.compare(rr.render(Path(work) / "reseeded", name, cycles_seed=1),
                           rr.REFERENCE / name)
        worst: dict[str, float] = {}
        for row in noise.values():
            for what, value in row.items():
                worst[what] = max(worst.get(what, 0.0), value)
        print(f"{name}: another Cycles seed gives at most", worst)
print(f"wrote {rr.REFERENCE}")
