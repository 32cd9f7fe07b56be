"""Croissant metadata of an export (croissant.json, Croissant 1.0): the dataset's description,
its files with their SHA-256, and the record set `factors`: every pair's factors by name, read
from the export's own tables (factors/SPLIT.csv of a webdataset export, the Parquet files of an
hf export). Written from the export's index alone."""

from __future__ import annotations

from typing import Any

from .card import LICENSE

CONFORMS_TO = "http://mlcommons.org/croissant/1.0"
LICENSE_URLS = {"cc-by-4.0": "https://creativecommons.org/licenses/by/4.0/"}
CONTEXT = {
    "@language": "en", "@vocab": "https://schema.org/", "citeAs": "cr:citeAs",
    "column": "cr:column", "conformsTo": "dct:conformsTo", "cr": "http://mlcommons.org/croissant/",
    "rai": "http://mlcommons.org/croissant/RAI/", "data": {"@id": "cr:data", "@type": "@json"},
    "dataType": {"@id": "cr:dataType", "@type": "@vocab"}, "dct": "http://purl.org/dc/terms/",
    "equivalentProperty": "cr:equivalentProperty",
    "examples": {"@id": "cr:examples", "@type": "@json"}, "extract": "cr:extract",
    "field": "cr:field", "fileProperty": "cr:fileProperty", "fileObject": "cr:fileObject",
    "fileSet": "cr:fileSet", "format": "cr:format", "includes": "cr:includes",
    "isLiveDataset": "cr:isLiveDataset", "jsonPath": "cr:jsonPath", "key": "cr:key",
    "md5": "cr:md5", "parentField": "cr:parentField", "path": "cr:path",
    "recordSet": "cr:recordSet", "references": "cr:references", "regex": "cr:regex",
    "repeated": "cr:repeated", "replace": "cr:replace", "samplingRate": "cr:samplingRate",
    "sc": "https://schema.org/",
    "separator": "cr:separator", "source": "cr:source", "subField": "cr:subField",
    "transform": "cr:transform",
}
ENCODINGS = {".tar": "application/x-tar", ".parquet": "application/x-parquet",
             ".csv": "text/csv", ".json": "application/json"}


def _file_object(entry: dict[str, Any]) -> dict[str, Any]:
    path = entry["path"]
    return {"@type": "cr:FileObject", "@id": path, "name": path, "contentUrl": path,
            "contentSize": f"{entry['bytes']} B", "sha256": entry["sha256"],
            "encodingFormat": ENCODINGS["." + path.rsplit(".", 1)[-1]]}


def _field(name: str, data_type: str, source: str) -> dict[str, Any]:
    return {"@type": "cr:Field", "@id": f"factors/{name}", "name": name, "dataType": data_type,
            "source": {"fileSet": {"@id": source}, "extract": {"column": name}}}


def factor_fields(entry: dict[str, Any]) -> list[tuple[str, str]]:
    """(column, Croissant data type) of every factor column of a split, after 'index'."""
    names = [column["name"] for column in entry["manifest"]["columns"]]
    fields = [(f"m{view}_{name}", "sc:Float") for view in range(1, entry["views"] + 1)
              for name in names]
    return fields + ([(f"target_{name}", "sc:Integer") for name in names]
                     if entry["targets"] else [])


def croissant_metadata(index: dict[str, Any], license: str | None = None) -> dict[str, Any]:
    """croissant.json of an export described by its index (`license`: its licence, which the
    publisher sets; None: the default's URL)."""
    splits = index["splits"]
    first = next(iter(splits.values()))
    settings = first["manifest"]["settings"]
    webdataset = index["export_format"] == "webdataset"
    files = [_file_object(entry) for split in splits.values()
             for entry in split["shards"] + split["files"]]
    table, pattern, encoding = (("factor-tables", "factors/*.csv", "text/csv") if webdataset
                                else ("parquet-files", "data/*.parquet",
                                      "application/x-parquet"))
    files.append({"@type": "cr:FileSet", "@id": table, "name": table,
                  "encodingFormat": encoding, "includes": pattern})
    fields = [_field("index", "sc:Integer", table)]
    fields += [_field(name, kind, table) for name, kind in factor_fields(first)]
    sizes = ", ".join(f"{name} {entry['pairs']}" for name, entry in splits.items())
    return {
        "@context": CONTEXT,
        "@type": "sc:Dataset",
        "conformsTo": CONFORMS_TO,
        "name": settings.get("name", "identbox-dataset"),
        "description": (settings.get("description") or "An IdentBox dataset")
        + f". Pairs per split: {sizes}. Rendered by IdentBox "
        f"{first['manifest'].get('identbox_version')}.",
        "license": LICENSE_URLS.get(LICENSE, LICENSE) if license is None else license,
        "version": "1.0.0",
        "distribution": files,
        "recordSet": [{"@type": "cr:RecordSet", "@id": "factors", "name": "factors",
                       "description": "Every pair's raw factors (in [-1, 1]) per view, by name",
                       "field": fields}],
    }


def croissant_matches(metadata: Any, index: dict[str, Any]) -> bool:
    """True if `metadata` (croissant.json read as JSON) is what this export writes, its licence
    aside."""
    if not isinstance(metadata, dict) or not isinstance(metadata.get("license"), str):
        return False
    return bool(metadata == croissant_metadata(index, metadata["license"]))
