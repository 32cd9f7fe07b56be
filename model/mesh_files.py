"""Vertices and faces of OBJ, PLY and STL files, in plain numpy: so a mesh file is checked
before anything renders (and without Blender), and every Blender version reads it alike
(Blender's own importers change names and defaults between versions)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .shapes import normalised


class MeshFileError(ValueError):
    """A mesh file cannot be read as its format, or holds no faces (the text says why)."""


@dataclass(frozen=True)
class FileMesh:
    """Vertices (V x 3) and polygons as flat vertex indices (`corners`) with the number of
    corners of each polygon (`sizes`); every vertex is used by a polygon."""

    vertices: np.ndarray
    corners: np.ndarray
    sizes: np.ndarray
    # A .blend object's turn and origin, both applied in `vertices` (the identity and zero for
    # other files): the kinds named after a published dataset undo them, as theirs did.
    rotation: np.ndarray = field(default_factory=lambda: np.eye(3))
    origin: np.ndarray = field(default_factory=lambda: np.zeros(3))

    def unturned(self) -> np.ndarray:
        """The vertices about the file object's own origin, at its own scale, its rotation
        undone: what the published generators place and turn (they keep a .blend object's
        scale and replace its rotation with the sampled angles)."""
        return (self.vertices - self.origin) @ self.rotation

    def faces(self) -> list[list[int]]:
        """The polygons as lists of vertex indices (what Blender's from_pydata takes)."""
        return [f.tolist() for f in np.split(self.corners, np.cumsum(self.sizes)[:-1])]


def file_mesh(vertices: np.ndarray, corners: np.ndarray, sizes: np.ndarray) -> FileMesh:
    """A FileMesh of the vertices the polygons use (stray points would move the bounding box
    that sizes the shape); MeshFileError if there is no polygon or an index is out of range."""
    vertices = np.asarray(vertices, dtype=np.float64).reshape(-1, 3)
    corners, sizes = np.asarray(corners, dtype=np.int64), np.asarray(sizes, dtype=np.int64)
    if not len(sizes):
        raise MeshFileError(f"it has {len(vertices)} vertices and no faces")
    if sizes.min() < 3:
        raise MeshFileError("it has a face of fewer than 3 vertices")
    outside = corners[(corners < 0) | (corners >= len(vertices))]
    if len(outside):
        raise MeshFileError(f"a face uses vertex {int(outside[0]) + 1} (counting from 1) of "
                            f"{len(vertices)}")
    if not np.isfinite(vertices).all():
        raise MeshFileError("a vertex has a coordinate that is not a finite number")
    used, corners = np.unique(corners, return_inverse=True)
    mesh = FileMesh(vertices[used], corners.reshape(-1), sizes)
    _check_drawable(mesh)
    return mesh


# The least total area of a mesh scaled to a bounding radius of 1 (as it is drawn): a millionth
# of the sphere around it is under a pixel at any resolution the render settings allow.
MIN_AREA = 1e-6


def _check_drawable(mesh: FileMesh) -> None:
    """MeshFileError if the mesh would render as nothing: all its vertices one point, or no
    area once scaled to the common size (a line, or coordinates too small or large to scale:
    1e-320 underflows, 1e300 overflows)."""
    if not np.ptp(mesh.vertices, axis=0).any():
        raise MeshFileError(f"all its {len(mesh.vertices)} vertices are one point: it has no "
                            "size to draw")
    with np.errstate(all="ignore"):
        unit = normalised(mesh.vertices, 1.0)
        area = polygon_area(unit, mesh.corners, mesh.sizes)
    if not (np.isfinite(unit).all() and area >= MIN_AREA):
        raise MeshFileError(f"its faces have no area at the size it is drawn (total {area:.3g} "
                            f"at a bounding radius of 1; at least {MIN_AREA:g} needed): its "
                            "vertices lie on one line, or its coordinates are too small or too "
                            "large to scale")


def polygon_area(vertices: np.ndarray, corners: np.ndarray, sizes: np.ndarray) -> float:
    """The total area of polygons (flat vertex indices `corners`, `sizes` corners each), each
    taken as a fan of triangles from its first corner."""
    fans = sizes - 2
    first = np.repeat(np.cumsum(sizes) - sizes, fans)
    step = np.arange(int(fans.sum())) - np.repeat(np.cumsum(fans) - fans, fans)
    a, b, c = (vertices[corners[index]] for index in (first, first + 1 + step, first + 2 + step))
    return float(0.5 * np.linalg.norm(np.cross(b - a, c - a), axis=1).sum())


def _text(data: bytes, format_name: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise MeshFileError(f"not a text {format_name} file (byte {error.start} is not "
                            "UTF-8)") from None


def read_obj(data: bytes) -> FileMesh:
    """An OBJ file's vertices (`v`) and faces (`f`), turned from OBJ's Y-up to Blender's Z-up
    as Blender's OBJ importer does by default; other statements are ignored."""
    points: list[list[float]] = []
    corners: list[int] = []
    sizes: list[int] = []
    for number, line in enumerate(_text(data, "OBJ").splitlines(), start=1):
        words = line.split()
        if not words or words[0] not in ("v", "f"):
            continue
        try:
            if words[0] == "v":
                points.append([float(w) for w in words[1:4]])
                if len(points[-1]) != 3:
                    raise ValueError
                continue
            indices = [int(w.split("/")[0]) for w in words[1:]]
        except ValueError:
            raise MeshFileError(f"line {number} {line.strip()[:60]!r} is not an OBJ "
                                "vertex or face") from None
        if any(abs(i) > len(data) for i in indices):  # more vertices than the file has bytes
            raise MeshFileError(f"line {number} {line.strip()[:60]!r} uses a vertex index "
                                "larger than any file of its size holds")
        # OBJ counts from 1; negative indices count back from the latest vertex.
        corners += [i - 1 if i > 0 else len(points) + i for i in indices]
        sizes.append(len(indices))
    vertices = np.array(points, dtype=np.float64).reshape(-1, 3)
    z_up = vertices[:, [0, 2, 1]] * np.array([1.0, -1.0, 1.0]) + 0.0  # + 0.0: no -0.0
    return file_mesh(z_up, np.array(corners),
                     np.array(sizes))


STL_HEADER = 80
STL_TRIANGLE = np.dtype([("normal", "<f4", 3), ("points", "<f4", (3, 3)), ("attribute", "<u2")])


def read_stl(data: bytes) -> FileMesh:
    """A binary or ASCII STL file's triangles, with equal corner points made one vertex (so the
    surface shades smooth)."""
    if len(data) >= STL_HEADER + 4:
        count = int(np.frombuffer(data, "<u4", 1, STL_HEADER)[0])
        if len(data) == STL_HEADER + 4 + count * STL_TRIANGLE.itemsize:
            points = np.frombuffer(data, STL_TRIANGLE, count, STL_HEADER + 4)["points"]
            return _triangle_soup(points.reshape(-1, 3).astype(np.float64))
    if not data.lstrip().startswith(b"solid"):
        raise MeshFileError(f"neither a binary STL ({STL_HEADER}-byte header, a triangle count, "
                            f"{STL_TRIANGLE.itemsize} bytes per triangle; these "
                            f"{len(data)} bytes do not add up) nor an ASCII STL "
                            "(starting with 'solid')")
    words = _text(data, "STL").split()
    starts = [k for k, word in enumerate(words) if word == "vertex"]
    try:
        points = np.array([[float(w) for w in words[k + 1:k + 4]] for k in starts])
    except ValueError:
        raise MeshFileError("a 'vertex' of the ASCII STL is not followed by 3 numbers") from None
    if len(starts) % 3 or (len(starts) and points.shape != (len(starts), 3)):
        raise MeshFileError(f"its {len(starts)} 'vertex' lines do not make whole triangles")
    return _triangle_soup(points.reshape(-1, 3))


def _triangle_soup(points: np.ndarray) -> FileMesh:
    vertices, corners = np.unique(points, axis=0, return_inverse=True)
    return file_mesh(vertices, corners.reshape(-1), np.full(len(points) // 3, 3))


PLY_TYPES = {"char": "i1", "int8": "i1", "uchar": "u1", "uint8": "u1", "short": "i2",
             "int16": "i2", "ushort": "u2", "uint16": "u2", "int": "i4", "int32": "i4",
             "uint": "u4", "uint32": "u4", "float": "f4", "float32": "f4", "double": "f8",
             "float64": "f8"}
PLY_FORMATS = {"ascii": "", "binary_little_endian": "<", "binary_big_endian": ">"}


@dataclass
class _Element:
    name: str
    count: int
    properties: list[tuple[str, str, str | None]]  # name, type, list count type (None: scalar)


def _ply_header(data: bytes) -> tuple[str, list[_Element], int]:
    """(format, elements, byte offset of the body)."""
    end = re.search(rb"end_header\r?\n", data[:1 << 16])
    if not data.startswith(b"ply") or end is None:
        raise MeshFileError("not a PLY file (it must start with 'ply' and have an 'end_header' "
                            "line)")
    lines = _text(data[:end.end()], "PLY").splitlines()
    fmt, elements = "", []
    for number, line in enumerate(lines[1:-1], start=2):
        words = line.split()
        try:
            if words[:1] == ["format"]:
                fmt = PLY_FORMATS[words[1]]
            elif words[:1] == ["element"]:
                elements.append(_Element(words[1], int(words[2]), []))
            elif words[:2] == ["property", "list"]:
                elements[-1].properties.append((words[4], PLY_TYPES[words[3]],
                                                PLY_TYPES[words[2]]))
            elif words[:1] == ["property"]:
                elements[-1].properties.append((words[2], PLY_TYPES[words[1]], None))
            elif words[:1] not in (["comment"], ["obj_info"], []):
                raise ValueError
        except (IndexError, KeyError, ValueError):
            raise MeshFileError(f"line {number} of its header {line.strip()[:60]!r} is not "
                                "PLY") from None
    if not any(words[:1] == ["format"] for words in map(str.split, lines)):
        raise MeshFileError("its header has no 'format' line")
    return fmt, elements, end.end()


def read_ply(data: bytes) -> FileMesh:
    """A PLY file's `vertex` x, y, z and `face` vertex_indices (ASCII or binary)."""
    fmt, elements, body = _ply_header(data)
    names = [e.name for e in elements]
    if "vertex" not in names or "face" not in names:
        raise MeshFileError(f"it has elements {names}; a mesh needs 'vertex' and 'face'")
    read = _PlyAscii(data[body:]) if fmt == "" else _PlyBinary(data, body, fmt)
    found: dict[str, dict[str, list[np.ndarray]]] = {}
    for element in elements[:max(names.index("vertex"), names.index("face")) + 1]:
        try:
            found[element.name] = read.element(element)
        except (ValueError, IndexError, StopIteration):
            raise MeshFileError(f"its {element.name} data ends early or is not "
                                f"{'binary ' if fmt else ''}PLY numbers") from None
    vertex, face = found["vertex"], found["face"]
    if not {"x", "y", "z"} <= set(vertex):
        raise MeshFileError("its vertices have no x, y and z")
    lists = face.get("vertex_indices", face.get("vertex_index"))
    if lists is None:
        raise MeshFileError("its faces have no vertex_indices list")
    vertices = np.stack([np.concatenate(vertex[axis]) for axis in "xyz"], axis=1)
    sizes = np.array([len(f) for f in lists], dtype=np.int64)
    corners = np.concatenate(lists) if lists else np.zeros(0)
    return file_mesh(vertices, corners, sizes)


def _integers(values: np.ndarray) -> np.ndarray:
    """A list property's values as int64; ValueError (read as data that is not PLY numbers) for
    a value that is no integer an index can be (1e29, nan): a cast would give garbage."""
    values = np.asarray(values)
    if values.dtype.kind == "f":
        with np.errstate(invalid="ignore"):
            whole = np.isfinite(values) & (np.abs(values) < 2.0**53)
        if not whole.all() or (values != np.floor(values)).any():
            raise ValueError("not an index")
    return values.astype(np.int64)


class _PlyAscii:
    """Reads the elements of an ASCII PLY body in turn: each property's values, a list of
    arrays (one array for a scalar property, one per row for a list property)."""

    def __init__(self, body: bytes) -> None:
        self.words = iter(_text(body, "PLY").split())

    def element(self, element: _Element) -> dict[str, list[np.ndarray]]:
        rows: dict[str, list[Any]] = {name: [] for name, _, _ in element.properties}
        words = self.words
        for _ in range(element.count):
            for name, _, count_kind in element.properties:
                if count_kind is None:
                    rows[name].append(float(next(words)))
                else:
                    n = int(next(words))
                    rows[name].append(_integers(np.array([float(next(words))
                                                          for _ in range(n)])))
        return {name: [np.array(values, dtype=np.float64)] if count is None else values
                for (name, _, count), values in zip(element.properties, rows.values(),
                                                    strict=True)}


class _PlyBinary:
    """As _PlyAscii, over a binary body in byte order `order` ('<' or '>')."""

    def __init__(self, data: bytes, offset: int, order: str) -> None:
        self.data, self.offset, self.order = data, offset, order

    def _take(self, kind: str, count: int) -> np.ndarray:
        dtype = np.dtype(self.order + kind)
        if self.offset + count * dtype.itemsize > len(self.data):
            raise ValueError("the data ends early")
        values = np.frombuffer(self.data, dtype, count, self.offset)
        self.offset += count * dtype.itemsize
        return values

    def element(self, element: _Element) -> dict[str, list[np.ndarray]]:
        if all(count is None for _, _, count in element.properties):
            dtype = np.dtype([(name, self.order + kind) for name, kind, _ in element.properties])
            table = self._take_records(dtype, element.count)
            return {name: [table[name].astype(np.float64)] for name in dtype.names or ()}
        uniform = self._uniform_lists(element)
        if uniform is not None:
            return uniform
        rows: dict[str, list[np.ndarray]] = {name: [] for name, _, _ in element.properties}
        for _ in range(element.count):
            for name, kind, count_kind in element.properties:
                n = 1 if count_kind is None else int(self._take(count_kind, 1)[0])
                values = self._take(kind, n)
                rows[name].append(values.astype(np.float64) if count_kind is None
                                  else _integers(values))
        return {name: [np.concatenate(values)] if count is None else values
                for (name, _, count), values in zip(element.properties, rows.values(),
                                                    strict=True)}

    def _uniform_lists(self, element: _Element) -> dict[str, list[np.ndarray]] | None:
        """The usual face element (one list, every row the same length, e.g. triangles) read
        at once; None for any other element (read row by row)."""
        if len(element.properties) != 1 or not element.count:
            return None
        name, kind, count_kind = element.properties[0]
        assert count_kind is not None
        first = np.frombuffer(self.data, self.order + count_kind, 1, self.offset)
        dtype = np.dtype([("n", self.order + count_kind), ("i", self.order + kind, int(first[0]))])
        if self.offset + element.count * dtype.itemsize > len(self.data):
            return None
        table = np.frombuffer(self.data, dtype, element.count, self.offset)
        if (table["n"] != first[0]).any():
            return None
        self.offset += element.count * dtype.itemsize
        return {name: list(_integers(table["i"]).reshape(element.count, -1))}

    def _take_records(self, dtype: np.dtype, count: int) -> np.ndarray:
        if self.offset + count * dtype.itemsize > len(self.data):
            raise ValueError("the data ends early")
        table = np.frombuffer(self.data, dtype, count, self.offset)
        self.offset += count * dtype.itemsize
        return table
