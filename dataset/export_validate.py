"""Check an export (`validate OUT` on a webdataset or hf export): every file its index lists is
there with its bytes and SHA-256, each split's manifest is the one exported, every pair is
there once with all its members, its factors are the latents the manifest's settings and seed
give (re-sampled, compared bit for bit), and a sample of its images decode at the resolution."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ..settings.objects import sample_pairs
from .cube_validate import Check
from .export_readers import decode_rgb, read_index, records_of
from .manifest import file_sha256, settings_from_manifest
from .share_export import member_name


def expected_members(entry: dict[str, Any]) -> set[str]:
    """The member names every pair of a split has."""
    names = {f"m{view}.latents.npy" for view in range(1, entry["views"] + 1)}
    for view in range(1, entry["views"] + 1):
        if view in entry["text_views"]:
            names.add(f"m{view}.txt")
        else:
            names |= {member_name(view, kind, entry["extension"]) for kind in entry["passes"]}
    return names | ({"targets.npy"} if entry["targets"] else set())


def _files(root: Path, name: str, entry: dict[str, Any]) -> list[Check]:
    listed = entry["shards"] + entry["files"]
    wrong = [item["path"] for item in listed
             if not (root / item["path"]).is_file()
             or (root / item["path"]).stat().st_size != item["bytes"]
             or file_sha256(root / item["path"]) != item["sha256"]]
    copy = root / "manifests" / f"{name}.json"
    same = copy.is_file() and file_sha256(copy) == entry["manifest_sha256"]
    return [Check(f"{name}: {len(listed)} files match the index", not wrong,
                  ", ".join(wrong[:3]) or "bytes and SHA-256 equal"),
            Check(f"{name}: manifests/{name}.json is the exported dataset's manifest", same,
                  entry["manifest_sha256"][:16] if same else "missing or changed")]


def _pairs(root: Path, index: dict[str, Any], name: str, entry: dict[str, Any],
           sample: int) -> list[Check]:
    records = records_of(root, index, entry)
    wanted, n = expected_members(entry), entry["pairs"]
    incomplete, factors = [], {v: np.zeros((n, len(entry["manifest"]["columns"])))
                               for v in range(1, entry["views"] + 1)}
    rng = np.random.default_rng(0)
    decoded = set(rng.choice(n, size=min(sample, n), replace=False).tolist())
    size = entry["manifest"]["settings"]["render"]["resolution"]
    undecodable = []
    for i in range(n):
        record = records.record(i)
        if set(record) != wanted:
            incomplete.append(f"{i:06d}")
            continue
        for view in factors:
            factors[view][i] = record[f"m{view}.latents.npy"]
        if i in decoded:
            for view in set(range(1, entry["views"] + 1)) - set(entry["text_views"]):
                try:
                    ok = decode_rgb(record[f"m{view}{entry['extension']}"]).shape[:2] \
                        == (size, size)
                except (OSError, ValueError):
                    ok = False
                if not ok:
                    undecodable.append(f"{i:06d} m{view}")
    checks = [Check(f"{name}: all {n} pairs present with every member", not incomplete,
                    f"{len(incomplete)} incomplete (first: {incomplete[0]})" if incomplete
                    else ", ".join(sorted(wanted)))]
    if incomplete:
        return checks
    again = sample_pairs(settings_from_manifest(entry["manifest"]))
    same = all(np.array_equal(again.raw(v), factors[v]) for v in factors)
    checks.append(Check(f"{name}: factors are the manifest's latents", same,
                        "re-sampled from its settings and seed, compared bit for bit"))
    checks.append(Check(f"{name}: {len(decoded)} sampled pairs' images decode at {size} px",
                        not undecodable, ", ".join(undecodable[:3]) or "all decode"))
    return checks


def validate_export(root: Path | str, sample: int = 32) -> list[Check]:
    """All checks of an export made by `export --format webdataset` or `hf`."""
    root = Path(root)
    index = read_index(root)
    checks = [Check(f"index describes a {index['export_format']} export", True,
                    ", ".join(f"{name} {entry['pairs']} pairs"
                              for name, entry in index["splits"].items()))]
    for name, entry in index["splits"].items():
        files = _files(root, name, entry)
        checks += files
        if all(c.ok for c in files):  # a changed shard may not even open
            checks += _pairs(root, index, name, entry, sample)
    present = [name for name in ("README.md", "croissant.json") if (root / name).is_file()]
    card = Check("the dataset card and Croissant metadata are there", len(present) == 2,
                 ", ".join(present) or "neither")
    return [*checks, card]
