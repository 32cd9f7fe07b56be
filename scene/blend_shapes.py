"""An object inside a .blend file as a plain mesh: linked for a moment, evaluated (its
modifiers and its transform applied, the transform's turn and origin kept beside), copied out,
and the link removed again."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import bpy
import numpy as np

from ..model.mesh_files import FileMesh, MeshFileError, file_mesh


def read_blend_object(path: Path, name: str) -> FileMesh:
    """The mesh of object `name` of the .blend at `path`, in world units of that file;
    MeshFileError when Blender cannot read the file, it has no such object, or the object has
    no geometry."""
    known = {library.filepath for library in bpy.data.libraries}
    libraries: Any = bpy.data.libraries  # its load() is a context manager the stubs miss
    try:
        with libraries.load(str(path), link=True) as (source, target):
            names = list(source.objects)
            if name in names:
                target.objects = [name]
    except OSError as error:
        raise MeshFileError(f"Blender cannot read it ({str(error).splitlines()[0]})") from None
    if name not in names:
        shown = ", ".join(sorted(names)[:12]) + (", ..." if len(names) > 12 else "")
        raise MeshFileError(f"it has no object named {name!r} (its objects: {shown or 'none'})")
    obj = target.objects[0]
    try:
        return _evaluated_mesh(obj)
    finally:
        library = obj.library
        if library is not None and library.filepath not in known:
            bpy.data.libraries.remove(library)


def _evaluated_mesh(obj: bpy.types.Object) -> FileMesh:
    """The object's geometry as it shows in its file's scene: linked into the current scene
    for a moment, so that the dependency graph evaluates it."""
    scene = bpy.context.scene
    assert scene is not None  # a Blender session always has one
    collection = scene.collection
    collection.objects.link(obj)
    try:
        evaluated = obj.evaluated_get(bpy.context.evaluated_depsgraph_get())
        try:
            mesh = evaluated.to_mesh()
        except RuntimeError:
            raise MeshFileError(f"its object {obj.name!r} is a {obj.type.lower()}, which has "
                                "no geometry") from None
        try:
            vertices = np.zeros(len(mesh.vertices) * 3)
            mesh.vertices.foreach_get("co", vertices)
            corners = np.zeros(len(mesh.loops), dtype=np.int64)
            mesh.loops.foreach_get("vertex_index", corners)
            sizes = np.zeros(len(mesh.polygons), dtype=np.int64)
            mesh.polygons.foreach_get("loop_total", sizes)
            starts = np.zeros(len(mesh.polygons), dtype=np.int64)
            mesh.polygons.foreach_get("loop_start", starts)
        finally:
            evaluated.to_mesh_clear()
        matrix = np.array(evaluated.matrix_world)
        _, turn, _ = evaluated.matrix_world.decompose()
        rotation = np.array(turn.to_matrix())
    finally:
        collection.objects.unlink(obj)
    points = vertices.reshape(-1, 3) @ matrix[:3, :3].T + matrix[:3, 3]
    if len(sizes) and not np.array_equal(starts[1:], np.cumsum(sizes)[:-1]):
        corners = np.concatenate([corners[s:s + n] for s, n in zip(starts, sizes, strict=True)])
    return replace(file_mesh(points, corners, sizes), rotation=rotation, origin=matrix[:3, 3])
