"""Object types that name mesh files, checked when a render is prepared (the render and
sample commands, reproduce, the panel's Render Dataset), not when settings are read: a
manifest stays readable, and validate works, on a machine without the files.

A relative path is taken from the current folder; the settings to render name the absolute
path and record the file's SHA-256 (`shape_sha256`), so the manifest says which mesh a dataset
was rendered with, and rendering it again with another file is refused."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..errors import SettingsError
from ..jsonfile import UnreadableFileError, read_regular_file
from ..model.mesh_files import MeshFileError
from ..model.shape_files import (
    FORMAT_NAMES,
    SHAPE_FILE_BYTES,
    BlendReader,
    file_sha256,
    read_shape,
    shape_file,
)
from ..sampling.multi import OBJECT_TYPES
from .kinds import kind_of


def with_shape_files(settings: Any, read_blend: BlendReader | None = None,
                     base: Path | None = None) -> Any:
    """The settings to render: each mesh-file type read and checked (a regular file of at most
    SHAPE_FILE_BYTES, checked before it is read, holding a mesh with faces that have area; a
    .blend's object only where `read_blend` is given, i.e. where Blender runs), named by its
    absolute path (relative ones from `base`, the current folder by default), its SHA-256
    recorded or compared with the one recorded. Other settings are returned as they are;
    SettingsError naming object_types[i] for a bad file."""
    if not kind_of(settings).shape_files:
        return settings
    types: list[str] = []
    record: dict[str, str] = {}
    for index, name in enumerate(settings.object_types):
        shape = None if name in OBJECT_TYPES else shape_file(name)
        if shape is None:
            types.append(name)
            continue
        path = os.path.abspath(os.path.join(base or Path.cwd(), os.path.expanduser(shape.path)))
        setting = f"object_types[{index}]"
        try:
            data = read_regular_file(Path(path), SHAPE_FILE_BYTES)
        except UnreadableFileError as error:
            raise SettingsError(setting, name, f"an existing, readable regular file of at most "
                                f"{SHAPE_FILE_BYTES >> 20} MiB ({path} {error})") from None
        digest = file_sha256(data)
        recorded = settings.shape_sha256.get(name)
        if recorded not in (None, digest):
            raise SettingsError(setting, name, f"the file the settings record (SHA-256 "
                                f"{recorded}); {path} now has SHA-256 {digest}")
        absolute = type(shape)(path, shape.object)
        try:
            read_shape(absolute, data, read_blend)
        except MeshFileError as error:
            raise SettingsError(setting, name, f"a {FORMAT_NAMES[shape.suffix]} file with a "
                                f"mesh, but {error}") from None
        types.append(shape.type_name(path))
        record[types[-1]] = digest
    if not record:
        return settings
    return settings.replace(object_types=tuple(types), shape_sha256=record)
