"""The dataset card of an export (README.md, in the Hugging Face card format): a YAML header the
Hub reads (licence, task categories, size category, one config split per IdentBox split), then
what the dataset is, its factors, causal edges, how it was made and what to know before use.
Written from the export's index alone; what a dataset's settings say (its name and description)
is written as text, never as Markdown, HTML or YAML."""

from __future__ import annotations

import json
import re
from typing import Any

LICENSE = "cc-by-4.0"  # what the card and croissant.json say until the publisher changes it
YAML_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_.*/-]*$")  # no quotes needed
YAML_WORDS = frozenset({"null", "true", "false", "yes", "no", "on", "off", "y", "n"})
MARKDOWN_SIGNS = re.compile(r"([\\`\[\]|])")  # code, links and table cells
LINE_START = re.compile(r"^([#*+=~-]|\d+[.)])")  # a heading, list or rule at a line's start
SIZE_CATEGORIES = ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K"),
                   (1_000_000, "100K<n<1M"), (10_000_000, "1M<n<10M"))


def yaml_text(text: str) -> str:
    """`text` as a YAML scalar that reads back as this string (quoted where it must be)."""
    plain = YAML_PLAIN.match(text) and text.lower() not in YAML_WORDS
    return text if plain else json.dumps(text)


def markdown_text(text: object) -> str:
    """`text` as one line of Markdown that shows as written: no HTML, code, links, headings."""
    flat = MARKDOWN_SIGNS.sub(r"\\\1", " ".join(str(text).split()))
    flat = flat.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return LINE_START.sub(lambda m: "\\" + m.group(1) if not m.group(1)[0].isdigit()
                          else m.group(1)[:-1] + "\\" + m.group(1)[-1], flat)


def size_category(pairs: int) -> str:
    """The Hub's size category of a dataset of `pairs` rows."""
    return next((label for bound, label in SIZE_CATEGORIES if pairs < bound), "10M<n<100M")


def data_files(index: dict[str, Any], split: str) -> str:
    """The glob of a split's shards, as the Hub's configs name them."""
    first = index["splits"][split]["shards"][0]["path"]
    folder, _, _ = first.rpartition("/")
    pattern = f"{split}-*.tar" if index["export_format"] == "webdataset" else f"{split}-*.parquet"
    return f"{folder}/{pattern}" if folder else pattern


def _header(index: dict[str, Any], license: str) -> list[str]:
    splits = index["splits"]
    texts = any(entry["text_views"] for entry in splits.values())
    lines = ["---", f"license: {license}", "task_categories:", "- image-feature-extraction"]
    lines += ["- feature-extraction"] if texts else []
    lines += ["size_categories:",
              f"- {size_category(sum(entry['pairs'] for entry in splits.values()))}",
              "tags:", "- identbox", "- synthetic", "- identifiability",
              "- causal-representation-learning", "configs:", "- config_name: default",
              "  data_files:"]
    for name in splits:
        lines += [f"  - split: {yaml_text(name)}",
                  f"    path: {yaml_text(data_files(index, name))}"]
    return [*lines, "---", ""]


def _factor_table(manifest: dict[str, Any]) -> list[str]:
    blocks = manifest["settings"].get("blocks") or {}
    lines = ["| column | factor | block | block type | role | meaning | unit | Blender scale |",
             "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for k, column in enumerate(manifest["columns"]):
        block = column.get("block")
        kind = blocks.get(block, {}).get("type", "-") if isinstance(blocks, dict) else "-"
        lines.append(f"| {k} | `{column['name']}` | {block or '-'} | {kind} | "
                     f"{column['role']} | {column.get('meaning', '')} | "
                     f"{column.get('unit', '')} | {column['blender_scale']} |")
    return lines


def _edges(settings: dict[str, Any]) -> list[str]:
    edges = settings.get("causal_edges") or []
    if not edges:
        return ["None: every factor is drawn independently of the others."]
    return [f"- `{edge.get('parent')}` -> `{edge.get('child')}` (strength "
            f"{edge.get('strength')})" for edge in edges]


def _limitations(index: dict[str, Any], settings: dict[str, Any]) -> list[str]:
    found = [f"- The licence above ({LICENSE}) is what IdentBox writes by default: set the one "
             "you publish under here and in croissant.json."]
    if settings.get("scene", {}).get("hue_mapping") == "legacy":
        found.append("- Colours follow the published 3DIdent data's legacy hue mapping: negative "
                     "hues go unwrapped into HSV and are clamped, so some colours are "
                     "over-bright and hue is not a smooth circle there.")
    if settings.get("render", {}).get("file_format") == "JPEG":
        found.append("- Images are JPEG: compression changes pixels, so small colour factors "
                     "are harder to read back than from PNG.")
    found.append("- Each view's object pixel centres, camera matrices, sentence words and "
                 "exogenous noise stay in the folder dataset (factors/mK/), not in this export.")
    return found


def _members(index: dict[str, Any], entry: dict[str, Any]) -> str:
    if index["export_format"] == "webdataset":
        return ("one sample per pair, keyed by its number (000123): `mK.png` (or `.jpg`) per "
                "image view, `mK.txt` per text view, `mK.mask.png` and `mK.depth.png` when "
                "rendered, `mK.latents.npy` (float64 raw latents in the columns below) per view"
                + (", `targets.npy` (uint8 intervention targets)" if entry["targets"] else "")
                + "; `factors/SPLIT.csv` has every pair's factors by name")
    return ("one row per pair: `index`, `mK_image` (the `Image` feature) per image view, "
            "`mK_text` per text view, `mK_mask` and `mK_depth` when rendered, and one float64 "
            "column per view and factor (`m1_pos_x`, ...)"
            + (", `target_NAME` uint8 intervention targets" if entry["targets"] else ""))


def dataset_card(index: dict[str, Any], license: str = LICENSE) -> str:
    """README.md of an export described by its index (`license`: the header's licence, which
    the publisher sets)."""
    splits = index["splits"]
    first = next(iter(splits.values()))
    manifest, settings = first["manifest"], first["manifest"]["settings"]
    sizes = ", ".join(f"{name} {entry['pairs']:,}" for name, entry in splits.items())
    resolution = settings.get("render", {}).get("resolution")
    body = [
        f"# {markdown_text(settings.get('name', 'IdentBox dataset'))}", "",
        markdown_text(settings.get("description") or "A dataset rendered by IdentBox."), "",
        f"Pairs (or tuples) of {resolution} x {resolution} px views of one scene whose "
        "ground-truth factors are known, for studying identifiability and causal representation "
        f"learning. Splits: {sizes} pairs; {first['views']} views per pair"
        + (f" ({len(first['text_views'])} of them text)" if first["text_views"] else "") + ".",
        "", "## Files", "",
        f"Format: {index['export_format']}, {index['shard_pairs']:,} pairs per shard; "
        f"{_members(index, first)}. `identbox_export.json` lists every shard with its pairs, "
        "bytes and SHA-256; `croissant.json` is the Croissant metadata. IdentBox reads the "
        "export back (`identbox.dataset.ExportedPairs`) and checks it "
        "(`python -m identbox validate OUT`).", "",
        "## Factors", "",
        "Raw values lie in [-1, 1]; Blender units are the raw value times the Blender scale. "
        "Block types: content (equal in every view), style (changed with a probability), "
        "view_specific; a column's role says which views it varies in (m1, m2, m3: the "
        "published view-specific rules), or constant.", "",
        *_factor_table(manifest), "",
        "## Causal edges", "", *_edges(settings), "",
        "## How it was made", "",
        f"Rendered by IdentBox {manifest.get('identbox_version')} (exported by IdentBox "
        f"{index['identbox_version']}) with Blender's Cycles, seed {settings.get('seed')}. "
        "Each split's manifest is `manifests/SPLIT.json`; this command renders a split again, "
        "pair for pair:", "",
        "```", "python -m identbox reproduce manifests/SPLIT.json --out SPLIT", "```", "",
        "| split | manifest SHA-256 |", "| --- | --- |",
        *[f"| {name} | `{entry['manifest_sha256']}` |" for name, entry in splits.items()], "",
        "Settings of the first split:", "",
        "```json", json.dumps(settings, indent=2, sort_keys=True), "```", "",
        "## Known limitations", "", *_limitations(index, settings), ""]
    lines = [*_header(index, license), *body]
    return "\n".join(lines)


def card_licence(text: str) -> str:
    """The licence a card's YAML header names (LICENSE when it names none)."""
    header = text.split("\n---\n", 1)[0] if text.startswith("---\n") else ""
    found = [line[len("license: "):] for line in header.splitlines()
             if line.startswith("license: ")]
    return found[0] if found else LICENSE


def card_matches(text: str, index: dict[str, Any]) -> bool:
    """True if `text` is the card this export writes, its licence aside."""
    return text == dataset_card(index, card_licence(text))
