"""Object types that name mesh files: `PATH.obj`, `PATH.ply`, `PATH.stl`, or `PATH.blend:OBJECT`
(an object inside a .blend). Which file a type names, its SHA-256, and its mesh; plain Python,
except a .blend object, which only Blender reads (the caller passes that reader in)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .mesh_files import FileMesh, MeshFileError, read_obj, read_ply, read_stl

READERS: dict[str, Callable[[bytes], FileMesh]] = {".obj": read_obj, ".ply": read_ply,
                                                    ".stl": read_stl}
FORMAT_NAMES = {".obj": "OBJ", ".ply": "PLY", ".stl": "STL", ".blend": ".blend"}
SYNTAX = "PATH.obj, PATH.ply, PATH.stl or PATH.blend:OBJECT"
# The largest mesh file read: a scan of millions of triangles fits; checked before reading.
SHAPE_FILE_BYTES = 512 << 20
# What a .blend file starts with: plain, gzip- or zstd-compressed.
BLEND_MAGIC = (b"BLENDER", b"\x1f\x8b", b"\x28\xb5\x2f\xfd")
_BLEND = re.compile(r"(.+?\.blend):(.*)", re.IGNORECASE | re.DOTALL)

# (path of a .blend, object name) -> that object's mesh, read by Blender.
BlendReader = Callable[[Path, str], FileMesh]


@dataclass(frozen=True)
class ShapeFile:
    """The file an object type names, and the object inside it (a .blend's; '' otherwise)."""

    path: str
    object: str = ""

    @property
    def suffix(self) -> str:
        """'.obj', '.ply', '.stl' or '.blend'."""
        return Path(self.path).suffix.lower()

    def type_name(self, path: str) -> str:
        """The object type naming the same object in `path` (e.g. the absolute path)."""
        return f"{path}:{self.object}" if self.object else path


def shape_file(object_type: str) -> ShapeFile | None:
    """The file an object type names; None when it names no file (a built-in type's name, or
    a file of another kind)."""
    blend = _BLEND.fullmatch(object_type)
    if blend:
        return ShapeFile(blend[1], blend[2]) if blend[2] else None
    if Path(object_type).suffix.lower() in READERS and Path(object_type).stem:
        return ShapeFile(object_type)
    return None


def file_sha256(data: bytes) -> str:
    """Hex SHA-256 of a file's bytes: what the manifest records of each mesh file."""
    return hashlib.sha256(data).hexdigest()


def read_shape(shape: ShapeFile, data: bytes, read_blend: BlendReader | None) -> FileMesh | None:
    """The mesh of a file's bytes (read once per content); for a .blend, its object's mesh
    when `read_blend` is given, else None (only its first bytes are checked).
    MeshFileError says what is wrong."""
    if shape.suffix == ".blend":
        if not data.startswith(BLEND_MAGIC):
            raise MeshFileError("not a .blend file (it does not start as one)")
        if read_blend is None:
            return None
    key = (str(Path(shape.path).resolve()), shape.object, file_sha256(data))
    if key not in _MESHES:
        blend = shape.suffix == ".blend" and read_blend is not None
        _MESHES[key] = (read_blend(Path(key[0]), shape.object) if blend and read_blend
                        else READERS[shape.suffix](data))
        while len(_MESHES) > CACHED:  # the oldest go: a render uses a few files, again and again
            del _MESHES[next(iter(_MESHES))]
    return _MESHES[key]


CACHED = 8
# (absolute path, object, SHA-256) -> mesh: a file checked before a render is read once.
_MESHES: dict[tuple[str, str, str], FileMesh] = {}
