"""Check an export (`validate OUT` on a webdataset or hf export): every file its index lists is
there with its bytes and SHA-256 and nothing else is, each split's manifest is the one exported,
its shards are the ones the export names and each holds its pairs once with all their members,
its factors are the latents the manifest's settings and seed give (re-sampled, compared bit for
bit), a sample of its images decode at the resolution and show what their own latents say (the
folder dataset's checks: ground hue, object hue, material), and the card and Croissant file are
the ones the export writes (the licence aside, which the publisher sets). A shard that does not
open is a failed check, not a traceback."""

from __future__ import annotations

import tarfile
from collections import Counter
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np

from ...errors import DatasetError
from ...jsonfile import UnreadableJSONError, read_json
from ...settings.objects import sample_pairs
from ...settings.views import image_views
from ..checking.checks import Check
from ..checking.view_look import disagreements, look_checks, look_spec
from ..files.manifest import file_sha256, pair_settings_from_manifest
from ..loading.export_readers import decode_rgb, read_index, records_of
from ..writing.writer import object_pixels
from .card import card_matches
from .croissant import croissant_matches
from .hf_export import PARQUET_FILES
from .share_export import (
    CARD,
    CROISSANT,
    INDEX,
    ShardWriter,
    changed_files,
    member_name,
    shard_ranges,
    share_library,
    unlisted_files,
)
from .webdataset_export import TAR_SHARDS, pair_key

WRITERS: dict[str, ShardWriter] = {writer.name: writer for writer in (TAR_SHARDS, PARQUET_FILES)}
# What reading a damaged shard raises, besides the libraries' own errors.
READ_ERRORS = (DatasetError, OSError, ValueError, KeyError, IndexError, TypeError, EOFError,
               StopIteration, tarfile.TarError)


def expected_members(entry: dict[str, Any]) -> set[str]:
    """The member names every pair of a split has."""
    names = {f"m{view}.latents.npy" for view in range(1, entry["views"] + 1)}
    for view in range(1, entry["views"] + 1):
        if view in entry["text_views"]:
            names.add(f"m{view}.txt")
        else:
            names |= {member_name(view, kind, entry["extension"]) for kind in entry["passes"]}
    return names | ({"targets.npy"} if entry["targets"] else set())


def _index_problem(index: dict[str, Any]) -> str | None:
    """What makes an index unusable (a missing or mistyped field, a path leaving the export),
    or None."""
    def counts(value: Any) -> bool:
        return isinstance(value, int) and not isinstance(value, bool) and value >= 0

    if index.get("export_format") not in WRITERS:
        return f"export_format {index.get('export_format')!r} is not one of {', '.join(WRITERS)}"
    if not counts(index.get("shard_pairs")) or not index["shard_pairs"]:
        return "shard_pairs is not a positive whole number"
    splits = index.get("splits")
    if not isinstance(splits, dict) or not splits:
        return "it lists no splits"
    for name, entry in splits.items():
        if not isinstance(entry, dict):
            return f"split {name!r} is not a table"
        fields: dict[str, type] = {"image_views": list, "text_views": list, "passes": list,
                                   "extension": str, "targets": bool, "manifest": dict,
                                   "manifest_sha256": str, "shards": list, "files": list}
        wrong = [field for field in ("pairs", "views") if not counts(entry.get(field))]
        wrong += [field for field, kind in fields.items()
                  if not isinstance(entry.get(field), kind)]
        if wrong:
            return f"split {name!r} has no valid {wrong[0]!r}"
        for item in entry["shards"] + entry["files"]:
            path = item.get("path") if isinstance(item, dict) else None
            if not isinstance(path, str) or PurePosixPath(path).is_absolute() \
                    or ".." in PurePosixPath(path).parts:
                return f"split {name!r} lists a file outside the export: {path!r}"
            if not (counts(item.get("bytes")) and isinstance(item.get("sha256"), str)):
                return f"split {name!r} lists {path} without its bytes and SHA-256"
        if not all(counts(s.get("first")) and counts(s.get("pairs")) for s in entry["shards"]):
            return f"split {name!r} lists a shard without its first pair and pairs"
    return None


def _files(root: Path, name: str, entry: dict[str, Any]) -> list[Check]:
    listed = entry["shards"] + entry["files"]
    wrong = changed_files(root, {"splits": {name: entry}})
    wrong = [path for path in wrong if path not in (CARD, CROISSANT)]
    copy = root / "manifests" / f"{name}.json"
    same = copy.is_file() and file_sha256(copy) == entry["manifest_sha256"]
    try:
        same = same and read_json(copy) == entry["manifest"]
    except UnreadableJSONError:
        same = False
    return [Check(f"{name}: {len(listed)} files match the index", not wrong,
                  ", ".join(wrong[:3]) or "bytes and SHA-256 equal"),
            Check(f"{name}: manifests/{name}.json is the exported dataset's manifest", same,
                  entry["manifest_sha256"][:16] if same else "missing or changed")]


def _shard_layout(index: dict[str, Any], name: str, entry: dict[str, Any]) -> Check:
    """The index lists the shards the export writes: every pair in one, in order."""
    writer, shard_pairs = WRITERS[index["export_format"]], index["shard_pairs"]
    ranges = shard_ranges(entry["pairs"], shard_pairs)
    wanted = [(writer.shard_path(name, k, len(ranges)), r.start, len(r))
              for k, r in enumerate(ranges)]
    found = [(s["path"], s["first"], s["pairs"]) for s in entry["shards"]]
    detail = f"{len(ranges)} shard(s) of up to {shard_pairs} pairs"
    if found != wanted:
        held = np.zeros(entry["pairs"], dtype=int)
        for _, first, pairs in found:
            held[first:first + pairs] += 1
        lost = np.flatnonzero(held == 0)
        if lost.size:
            detail = f"pairs {lost[0]} to {lost[-1]} are in no shard" if lost.size > 1 \
                else f"pair {lost[0]} is in no shard"
        else:
            extra = [path for path, _, _ in found if path not in {w[0] for w in wanted}]
            detail = (f"{extra[0]} is not a shard the export writes" if extra
                      else "its shards are not the export's (" + detail + ")")
    return Check(f"{name}: the index lists the export's shards", found == wanted, detail)


def _tar_problem(path: Path, pairs: range, wanted: set[str], shown: str) -> str | None:
    """What is wrong with a tar shard (it does not open, is cut short, holds a member twice,
    one of other pairs, or lacks one), or None."""
    try:
        with tarfile.open(path) as tar:
            members = tar.getmembers()
    except (tarfile.TarError, OSError, EOFError) as error:
        return f"{shown} does not open as a tar file ({error})"
    size = path.stat().st_size
    seen: Counter[str] = Counter()
    for member in members:
        key, _, name = member.name.partition(".")
        if not member.isfile() or member.offset_data + member.size > size:
            return f"{shown}: {member.name} is cut short or not a file"
        if not key.isdigit() or key != pair_key(int(key)) or int(key) not in pairs \
                or name not in wanted:
            return f"{shown} holds {member.name}, which is not a member of its pairs"
        seen[member.name] += 1
    twice = [name for name, count in seen.items() if count > 1]
    if twice:
        return f"{shown} holds {twice[0]} twice"
    missing = [f"{pair_key(i)}.{name}" for i in pairs for name in sorted(wanted)
               if f"{pair_key(i)}.{name}" not in seen]
    return f"{shown} lacks {missing[0]}" if missing else None


def _parquet_problem(path: Path, pairs: range, shown: str) -> str | None:
    """What is wrong with a Parquet shard (it does not open, or holds other rows than its
    pairs), or None."""
    arrow = share_library("pyarrow", "hf")
    parquet = share_library("pyarrow.parquet", "hf")
    try:
        handle = parquet.ParquetFile(path)
        rows = handle.metadata.num_rows
        numbers = handle.read(columns=["index"]).column("index").to_pylist()
    except (OSError, ValueError, KeyError, arrow.ArrowException) as error:
        return f"{shown} does not open as a Parquet file ({str(error).splitlines()[0]})"
    if rows != len(pairs):
        return f"{shown} holds {rows} rows, the index says {len(pairs)}"
    if numbers != list(pairs):
        return f"{shown} holds other pairs than {pairs.start} to {pairs.stop - 1}"
    return None


def _shard_contents(root: Path, index: dict[str, Any], name: str,
                    entry: dict[str, Any]) -> Check:
    """Each shard opens and holds its pairs once, each with every member."""
    wanted, problems = expected_members(entry), []
    for shard in entry["shards"]:
        pairs = range(shard["first"], shard["first"] + shard["pairs"])
        path = root / shard["path"]
        problem = (_tar_problem(path, pairs, wanted, shard["path"])
                   if index["export_format"] == TAR_SHARDS.name
                   else _parquet_problem(path, pairs, shard["path"]))
        if problem:
            problems.append(problem)
    return Check(f"{name}: every shard holds its pairs once, with every member", not problems,
                 "; ".join(problems[:3]) or ", ".join(sorted(wanted)))


def _looks(entry: dict[str, Any], again: Any, images: dict[int, dict[int, np.ndarray]],
           name: str) -> list[Check]:
    """The folder dataset's checks of what decoded images show (dataset/view_look.py), on
    the sampled pairs' images of every image view."""
    settings = pair_settings_from_manifest(entry["manifest"])
    spec = look_spec(entry["manifest"]["columns"], settings)
    off: dict[str, list[str]] = {"ground": [], "object": [], "metal": []}
    for view, decoded in images.items():
        latents = again.latents(view)
        centres = object_pixels(settings, latents)[:, 0]
        for i, image in sorted(decoded.items()):
            found = disagreements(image, np.asarray(latents[i]), centres[i], f"m{view}", spec)
            for look, detail in found.items():
                off[look].append(f"{pair_key(i)} m{view}: {detail}")
    return look_checks(spec, off, len(image_views(settings)), prefix=f"{name}: ")


def _pairs(root: Path, index: dict[str, Any], name: str, entry: dict[str, Any],
           sample: int) -> list[Check]:
    wanted, n = expected_members(entry), entry["pairs"]
    incomplete, factors = [], {v: np.zeros((n, len(entry["manifest"]["columns"])))
                               for v in range(1, entry["views"] + 1)}
    rng = np.random.default_rng(0)
    decoded = set(rng.choice(n, size=min(sample, n), replace=False).tolist())
    size = entry["manifest"]["settings"]["render"]["resolution"]
    seen_views = [v for v in range(1, entry["views"] + 1) if v not in entry["text_views"]]
    images: dict[int, dict[int, np.ndarray]] = {view: {} for view in seen_views}
    undecodable, i = [], 0
    try:
        records = records_of(root, index, entry)
        for i in range(n):
            record = records.record(i)
            if set(record) != wanted:
                incomplete.append(pair_key(i))
                continue
            for view in factors:
                factors[view][i] = record[f"m{view}.latents.npy"]
            for view in seen_views if i in decoded else ():
                try:
                    image = decode_rgb(record[f"m{view}{entry['extension']}"])
                except (OSError, ValueError, SyntaxError):
                    image = None
                if image is None or image.shape[:2] != (size, size):
                    undecodable.append(f"{pair_key(i)} m{view}")
                else:
                    images[view][i] = image
    except READ_ERRORS as error:
        text = str(error).splitlines()[0] if str(error) else type(error).__name__
        return [Check(f"{name}: every pair reads back", False, f"{text} (at pair {i})")]
    checks = [Check(f"{name}: all {n} pairs present with every member", not incomplete,
                    f"{len(incomplete)} incomplete (first: {incomplete[0]})" if incomplete
                    else ", ".join(sorted(wanted)))]
    if incomplete:
        return checks
    again = sample_pairs(pair_settings_from_manifest(entry["manifest"]))
    same = all(np.array_equal(again.raw(v), factors[v]) for v in factors)
    checks.append(Check(f"{name}: factors are the manifest's latents", same,
                        "re-sampled from its settings and seed, compared bit for bit"))
    checks.append(Check(f"{name}: {len(decoded)} sampled pairs' images decode at {size} px",
                        not undecodable, ", ".join(undecodable[:3]) or "all decode"))
    if same:
        checks += _looks(entry, again, images, name)
    return checks


def _card_checks(root: Path, index: dict[str, Any]) -> list[Check]:
    """The card and the Croissant file are what this export writes, their licence aside."""
    card, croissant = root / CARD, root / CROISSANT
    try:
        card_ok = card.is_file() and card_matches(card.read_text(encoding="utf-8"), index)
    except (OSError, UnicodeDecodeError):
        card_ok = False
    try:
        croissant_ok = croissant.is_file() and croissant_matches(read_json(croissant), index)
    except UnreadableJSONError:
        croissant_ok = False

    def detail(path: Path, ok: bool) -> str:
        return ("written from the index" if ok else f"{path.name} is missing"
                if not path.is_file() else "it differs from what the export writes")

    return [Check(f"{CARD} is the card this export writes (its licence aside)", card_ok,
                  detail(card, card_ok)),
            Check(f"{CROISSANT} is the Croissant metadata this export writes (its licence "
                  "aside)", croissant_ok, detail(croissant, croissant_ok))]


def validate_export(root: Path | str, sample: int = 32) -> list[Check]:
    """All checks of an export made by `export --format webdataset` or `hf`."""
    root = Path(root)
    index = read_index(root)
    problem = _index_problem(index)
    if problem:
        raise DatasetError(f"{root / INDEX} is not a usable export index: {problem}")
    checks = [Check(f"index describes a {index['export_format']} export", True,
                    ", ".join(f"{name} {entry['pairs']} pairs"
                              for name, entry in index["splits"].items()))]
    for name, entry in index["splits"].items():
        files = _files(root, name, entry)
        layout = _shard_layout(index, name, entry)
        checks += [*files, layout]
        if all(c.ok for c in (*files, layout)):  # a changed shard may not even open
            contents = _shard_contents(root, index, name, entry)
            checks.append(contents)
            if contents.ok:
                checks += _pairs(root, index, name, entry, sample)
    strays = unlisted_files(root, index)
    checks.append(Check("no files the index does not list", not strays,
                        (", ".join(strays[:3]) + (f" and {len(strays) - 3} more"
                                                  if len(strays) > 3 else ""))
                        or "only the index's, the card and croissant.json"))
    return [*checks, *_card_checks(root, index)]
