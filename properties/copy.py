"""Copy one scene's IdentBox settings to another's, field by field through RNA."""

from typing import Any


def copy_props(source: Any, target: Any, skip: frozenset[str] = frozenset({"progress"})) -> None:
    """Every property of `source` onto `target`, groups and collections included, except
    those named in `skip` (a run's progress stays with its scene)."""
    for prop in source.bl_rna.properties:
        key = prop.identifier
        if key == "rna_type" or key in skip:
            continue
        if prop.type == "POINTER":
            copy_props(getattr(source, key), getattr(target, key), frozenset())
        elif prop.type == "COLLECTION":
            items = getattr(target, key)
            items.clear()
            for item in getattr(source, key):
                copy_props(item, items.add(), frozenset())
        elif not prop.is_readonly:
            setattr(target, key, getattr(source, key))
