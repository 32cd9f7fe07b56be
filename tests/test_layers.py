"""The package's layers, read from the imports themselves: a module may import its own layer and
the layers below it, never one above, and the layers below Blender's never import bpy. The
layers, lowest first, are the README's map (Development)."""

from __future__ import annotations

import ast
from pathlib import Path

from conftest import REPO

LAYERS: list[tuple[str, ...]] = [
    ("version", "errors", "limits", "jsonfile", "console"),  # plain helpers for every layer
    ("model",),  # scene constants, geometry, colours
    ("sampling",),  # latents from distributions and mechanisms (numpy)
    ("settings",),  # one settings module per kind, the kinds table, render settings
    ("presets",),  # bundled settings files
    ("dataset",),  # files on disk: layout, manifest, writer, validate, loader
    ("evaluate",),  # scores of a representation, plots, the contrastive baseline (no bpy)
    ("registration", "scene"),  # bpy from here up: turning plain data into scene state
    ("render",),  # the job loop, in-process and `blender -b` runs
    ("cluster",),  # SLURM arrays of render runs
    ("cli",),  # the command line
    ("properties",),  # the panel's Blender properties
    ("operators",),
    ("panels",),
    ("__init__", "__main__"),  # registration of everything, `python -m identbox`
]
FIRST_WITH_BPY = 7
BLENDER_MODULES = ("bpy", "bmesh", "mathutils", "bpy_extras", "gpu", "addon_utils")
NOT_PACKAGE = {"tests", "benchmarks", "docs", "build", "dist", "out", "test-artifacts"}


def layer_of(top: str) -> int:
    for number, names in enumerate(LAYERS):
        if top in names:
            return number
    raise AssertionError(f"{top!r} belongs to no layer: add it to LAYERS (and the README map)")


def package_modules() -> list[tuple[list[str], bool, Path]]:
    found = []
    for path in sorted(REPO.rglob("*.py")):
        parts = path.relative_to(REPO).parts
        if parts[0] in NOT_PACKAGE or any(p.startswith(".") for p in parts):
            continue
        module = list(path.relative_to(REPO).with_suffix("").parts)
        is_package = module[-1] == "__init__"
        found.append((module[:-1] if is_package else module, is_package, path))
    return found


def runtime_imports(tree: ast.Module) -> list[ast.stmt]:
    """Import statements, leaving out `if TYPE_CHECKING:` blocks (annotations only)."""
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped |= {id(inner) for child in node.body for inner in ast.walk(child)}
    return [node for node in ast.walk(tree)
            if isinstance(node, (ast.Import, ast.ImportFrom)) and id(node) not in skipped]


def imported_tops(module: list[str], is_package: bool, tree: ast.Module) -> set[str]:
    """Top-level package names of the package's own modules this one imports, and 'bpy'."""
    tops = set()
    for node in runtime_imports(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
            tops |= {"bpy" for name in names if name.split(".")[0] in BLENDER_MODULES}
        elif node.level == 0:
            if node.module and node.module.split(".")[0] in BLENDER_MODULES:
                tops.add("bpy")
        else:
            base = module if is_package else module[:-1]
            base = base[:len(base) - (node.level - 1)]
            target = base + (node.module.split(".") if node.module else [])
            if target:
                tops.add(target[0])
            else:  # `from . import x` at the root
                tops |= {alias.name for alias in node.names}
    return tops


def test_every_module_imports_only_its_layer_and_below() -> None:
    wrong = []
    for module, is_package, path in package_modules():
        top = module[0] if module else "__init__"
        own = layer_of(top)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for imported in imported_tops(module, is_package, tree) - {top}:
            if imported == "bpy":
                if own < FIRST_WITH_BPY:
                    wrong.append(f"{path.relative_to(REPO)} imports bpy")
            elif layer_of(imported) > own:
                wrong.append(f"{path.relative_to(REPO)} ({top}) imports {imported}, a layer above")
    assert not wrong, "\n".join(wrong)


def test_the_check_catches_an_upward_import(tmp_path: Path) -> None:
    tree = ast.parse("from ..render.loop import RenderJob\nimport bpy\n")
    tops = imported_tops(["dataset", "validate"], False, tree)
    assert tops == {"render", "bpy"}
    assert layer_of("render") > layer_of("dataset")
    typed = ast.parse("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                      "    from ..settings.pairs import DatasetSettings\n")
    assert imported_tops(["sampling", "sampler"], False, typed) == set()
