"""Object types from mesh files: OBJ, PLY and STL read in plain numpy, a .blend's object read by
Blender; a dataset rendered with them, each object's mask the silhouette of its file's mesh; bad
files rejected in one line, exit status 2, nothing written."""

from __future__ import annotations

import hashlib
import json
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import run_blender
from image_checks import load_rgba
from scipy.spatial import ConvexHull

from identbox.dataset import read_manifest
from identbox.errors import SettingsError
from identbox.model.camera import project_to_pixels
from identbox.model.mesh_files import MeshFileError, read_obj, read_ply, read_stl
from identbox.settings.objects import MultiObjectSettings
from identbox.settings.shape_files import with_shape_files

RESOLUTION = 128
RADIUS = 0.7  # every type's bounding radius (sampling/multi.py OBJECT_RADIUS)


# --- meshes, in Blender's axes (z up), and files written from them -------------------------

def box(sx: float, sy: float, sz: float) -> tuple[np.ndarray, list[list[int]]]:
    """A box centred at the origin, with quads."""
    corners = np.array([[x, y, z] for x in (-sx, sx) for y in (-sy, sy) for z in (-sz, sz)]) / 2
    faces = [[0, 1, 3, 2], [4, 6, 7, 5], [0, 4, 5, 1], [2, 3, 7, 6], [0, 2, 6, 4], [1, 5, 7, 3]]
    return corners, faces


def uv_sphere(rings: int = 12, segments: int = 24) -> tuple[np.ndarray, list[list[int]]]:
    """A sphere of radius 1: poles, rings of segments, quads and pole triangles."""
    points = [[0.0, 0.0, 1.0]]
    for i in range(1, rings):
        theta = np.pi * i / rings
        points += [[np.sin(theta) * np.cos(p), np.sin(theta) * np.sin(p), np.cos(theta)]
                   for p in np.linspace(0, 2 * np.pi, segments, endpoint=False)]
    points.append([0.0, 0.0, -1.0])
    ring = lambda i, j: 1 + (i - 1) * segments + j % segments  # noqa: E731
    faces = [[0, ring(1, j), ring(1, j + 1)] for j in range(segments)]
    faces += [[ring(i, j), ring(i + 1, j), ring(i + 1, j + 1), ring(i, j + 1)]
              for i in range(1, rings - 1) for j in range(segments)]
    faces += [[len(points) - 1, ring(rings - 1, j + 1), ring(rings - 1, j)]
              for j in range(segments)]
    return np.array(points), faces


def triangles(vertices: np.ndarray, faces: list[list[int]]) -> np.ndarray:
    """(T, 3, 3) fan triangles of the faces."""
    return np.array([[vertices[f[0]], vertices[f[k]], vertices[f[k + 1]]]
                     for f in faces for k in range(1, len(f) - 1)])


def write_obj(path: Path, vertices: np.ndarray, faces: list[list[int]]) -> Path:
    """OBJ is Y-up: Blender's (x, y, z) is written as (x, z, -y)."""
    lines = ["# IdentBox test mesh", "o Mesh"]
    lines += [f"v {x} {z} {-y}" for x, y, z in vertices]
    lines += ["vn 0 0 1"] + ["f " + " ".join(f"{i + 1}//1" for i in face) for face in faces]
    path.write_text("\n".join(lines) + "\n")
    return path


def write_binary_stl(path: Path, vertices: np.ndarray, faces: list[list[int]]) -> Path:
    tris = triangles(vertices, faces).astype("<f4")
    body = b"".join(b"\0" * 12 + t.tobytes() + b"\0\0" for t in tris)
    path.write_bytes(b"binary STL".ljust(80, b" ") + struct.pack("<I", len(tris)) + body)
    return path


def write_ascii_stl(path: Path, vertices: np.ndarray, faces: list[list[int]]) -> Path:
    lines = ["solid test"]
    for tri in triangles(vertices, faces):
        lines += ["facet normal 0 0 0", "outer loop", *(f"vertex {x} {y} {z}" for x, y, z in tri),
                  "endloop", "endfacet"]
    path.write_text("\n".join([*lines, "endsolid test"]) + "\n")
    return path


def write_ascii_ply(path: Path, vertices: np.ndarray, faces: list[list[int]]) -> Path:
    header = ["ply", "format ascii 1.0", "comment IdentBox test", f"element vertex {len(vertices)}",
              "property float x", "property float y", "property float z",
              f"element face {len(faces)}", "property list uchar int vertex_indices",
              "end_header"]
    body = [f"{x} {y} {z}" for x, y, z in vertices]
    body += [" ".join(map(str, [len(face), *face])) for face in faces]
    path.write_text("\n".join(header + body) + "\n")
    return path


BLEND_ROTATION_Z = np.pi / 2  # the .blend's object is turned: its transform must count


def write_blend(path: Path, vertices: np.ndarray, faces: list[list[int]], tmp: Path) -> Path:
    """A .blend saved by Blender, with a mesh object 'Bar' (turned 90 degrees about z) and an
    empty 'Marker'."""
    run_blender(f"""
import bpy
bpy.ops.wm.read_factory_settings(use_empty=True)
mesh = bpy.data.meshes.new("bar")
mesh.from_pydata({vertices.tolist()!r}, [], {faces!r})
bar = bpy.data.objects.new("Bar", mesh)
bar.rotation_euler = (0.0, 0.0, {BLEND_ROTATION_Z!r})
marker = bpy.data.objects.new("Marker", None)
for obj in (bar, marker):
    bpy.context.scene.collection.objects.link(obj)
bpy.ops.wm.save_as_mainfile(filepath={str(path)!r})
report({{"objects": sorted(o.name for o in bpy.data.objects)}})
""", tmp)
    return path


def rotation(alpha: float, beta: float, gamma: float = 0.0) -> np.ndarray:
    """Blender's XYZ Euler rotation matrix."""
    ca, sa, cb, sb, cg, sg = (np.cos(alpha), np.sin(alpha), np.cos(beta), np.sin(beta),
                              np.cos(gamma), np.sin(gamma))
    rx = np.array([[1, 0, 0], [0, ca, -sa], [0, sa, ca]])
    ry = np.array([[cb, 0, sb], [0, 1, 0], [-sb, 0, cb]])
    rz = np.array([[cg, -sg, 0], [sg, cg, 0], [0, 0, 1]])
    return rz @ ry @ rx


def silhouette(vertices: np.ndarray, centre: np.ndarray, alpha: float, beta: float) -> np.ndarray:
    """(RESOLUTION, RESOLUTION) bool: pixel centres inside the projected convex mesh, scaled
    to the common bounding radius and placed as the latents say."""
    middle = (vertices.max(axis=0) + vertices.min(axis=0)) / 2
    scaled = (vertices - middle) * RADIUS / np.linalg.norm(vertices - middle, axis=1).max()
    pixels = project_to_pixels(scaled @ rotation(alpha, beta).T + centre, RESOLUTION)
    hull = pixels[ConvexHull(pixels).vertices]  # counter-clockwise
    ys, xs = np.mgrid[0:RESOLUTION, 0:RESOLUTION] + 0.5
    inside = np.ones((RESOLUTION, RESOLUTION), dtype=bool)
    for a, b in zip(hull, np.roll(hull, -1, axis=0), strict=True):
        inside &= (b[0] - a[0]) * (ys - a[1]) - (b[1] - a[1]) * (xs - a[0]) >= 0
    return inside


# --- plain readers and settings (no Blender) ------------------------------------------------

SLAB = box(2.0, 1.0, 0.2)


def test_each_format_reads_the_same_mesh(tmp_path: Path) -> None:
    vertices, faces = SLAB
    meshes = {
        "obj": read_obj(write_obj(tmp_path / "s.obj", vertices, faces).read_bytes()),
        "ply": read_ply(write_ascii_ply(tmp_path / "s.ply", vertices, faces).read_bytes()),
        "stl": read_stl(write_binary_stl(tmp_path / "s.stl", vertices, faces).read_bytes()),
        "ascii stl": read_stl(write_ascii_stl(tmp_path / "a.stl", vertices, faces).read_bytes()),
    }
    for name, mesh in meshes.items():
        assert sorted(map(tuple, mesh.vertices.round(6))) == sorted(map(tuple, vertices)), name
        area = sum(0.5 * np.linalg.norm(np.cross(t[1] - t[0], t[2] - t[0]))
                   for t in triangles(mesh.vertices, mesh.faces()))
        assert area == pytest.approx(2 * (2 * 1 + 2 * 0.2 + 1 * 0.2)), name  # the box's surface
    assert meshes["obj"].sizes.tolist() == [4] * 6  # quads stay quads
    assert meshes["stl"].sizes.tolist() == [3] * 12  # STL: triangles, corners merged


def test_binary_ply_big_endian_and_mixed_faces() -> None:
    vertices = np.array([(0, 0, 0), (1, 0, 0), (1, 1, 0), (0, 1, 0), (5, 5, 5)],
                        dtype=[("x", ">f4"), ("y", ">f4"), ("z", ">f4")])
    header = (b"ply\nformat binary_big_endian 1.0\nelement vertex 5\nproperty float x\n"
              b"property float y\nproperty float z\nelement face 2\n"
              b"property list uchar int vertex_indices\nend_header\n")
    faces = b"\x03" + np.array([0, 1, 2], ">i4").tobytes() + b"\x04" \
        + np.array([0, 1, 2, 3], ">i4").tobytes()
    mesh = read_ply(header + vertices.tobytes() + faces)
    assert mesh.faces() == [[0, 1, 2], [0, 1, 2, 3]]
    assert len(mesh.vertices) == 4  # the unused vertex (5, 5, 5) is dropped: not in the size


@pytest.mark.parametrize(("reader", "data", "why"), [
    (read_obj, b"\xff\xfe\x00garbage", "not a text OBJ file"),
    (read_obj, b"v 0 0 0\nv 1 0 0\nv 0 1 0\n", "3 vertices and no faces"),
    (read_obj, b"v 0 0 0\nv 1 zero 0\n", "line 2"),
    (read_obj, b"v 0 0 0\nf 1 2 3\n", "vertex 2"),
    (read_stl, b"\x00" * 80 + struct.pack("<I", 3) + b"\x00" * 50, "do not add up"),
    (read_stl, b"solid x\nfacet\nvertex 1 2 3\nendsolid\n", "whole triangles"),
    (read_stl, b"\x00" * 80 + struct.pack("<I", 0), "no faces"),
    (read_ply, b"PK\x03\x04 a zip", "not a PLY file"),
    (read_ply, b"ply\nformat ascii 1.0\nelement vertex 1\nproperty float x\nend_header\n1\n",
     "needs 'vertex' and 'face'"),
    (read_ply, b"ply\nformat utf8 2\nend_header\n", "line 2"),
])
def test_bad_mesh_data_says_what_is_wrong(reader, data: bytes, why: str) -> None:
    with pytest.raises(MeshFileError, match=why):
        reader(data)


def test_settings_take_file_types_and_record_their_sha256(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_obj(tmp_path / "slab.obj", *SLAB)
    settings = MultiObjectSettings(object_types=("teapot", "slab.obj", "x/shapes.blend:Bar"))
    assert settings.to_dict()["object_types"] == ["teapot", "slab.obj", "x/shapes.blend:Bar"]
    assert "shape_sha256" not in MultiObjectSettings().to_dict()  # old manifests keep bytes
    for bad in ("hare.fbx", "shapes.blend", "shapes.blend:", "dragon"):
        with pytest.raises(SettingsError, match=r"object_types\[1\].*PATH.blend:OBJECT"):
            MultiObjectSettings(object_types=("teapot", bad))
    ready = with_shape_files(MultiObjectSettings(object_types=("cube", "slab.obj")))
    path = str(tmp_path / "slab.obj")
    digest = hashlib.sha256((tmp_path / "slab.obj").read_bytes()).hexdigest()
    assert ready.object_types == ("cube", path) and ready.shape_sha256 == {path: digest}
    assert MultiObjectSettings.from_dict(ready.to_dict()) == ready
    assert with_shape_files(ready) == ready  # the same file again: the same settings
    write_obj(tmp_path / "slab.obj", *box(1, 1, 1))
    with pytest.raises(SettingsError, match=rf"object_types\[1\].*SHA-256 {digest}"):
        with_shape_files(ready)  # another file under the recorded name


# --- rendered with Blender -----------------------------------------------------------------

BAR = box(2.0, 0.5, 0.5)
SPHERE = uv_sphere()
TYPES = ("sphere.obj", "plate.stl", "bar.ply", "shapes.blend:Bar")
PAIRS = 4


def _render(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "identbox", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def _preset(folder: Path, types: tuple[str, ...]) -> Path:
    preset = {"kind": "multi", "name": "shapes", "n_objects": 1, "seed": 3,
              "object_types": list(types), "min_pixels": 10.0, "masks": True,
              "blocks": {"objects": {"type": "view_specific"}}}
    path = folder / "preset.json"
    path.write_text(json.dumps(preset))
    return path


@pytest.fixture(scope="module")
def shapes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with one mesh file of each kind (sphere, flat plate, bar, turned bar)."""
    folder = tmp_path_factory.mktemp("shapes")
    write_obj(folder / "sphere.obj", *SPHERE)
    write_binary_stl(folder / "plate.stl", *box(2.0, 2.0, 0.2))
    write_ascii_ply(folder / "bar.ply", *BAR)
    write_blend(folder / "shapes.blend", *BAR, folder)
    return folder


def expected_meshes() -> list[np.ndarray]:
    """Each type's vertices in Blender's axes, as its file means them."""
    turned = BAR[0] @ rotation(0.0, 0.0, BLEND_ROTATION_Z).T
    return [SPHERE[0], box(2.0, 2.0, 0.2)[0], BAR[0], turned]


@pytest.mark.every_blender
def test_mesh_files_render_as_their_shapes(shapes: Path) -> None:
    done = _render(["render", "--preset", str(_preset(shapes, TYPES)), "--n-pairs", str(PAIRS),
                    "--resolution", str(RESOLUTION), "--samples", "2", "--out", "data"], shapes)
    assert done.returncode == 0, done.stderr
    root = shapes / "data"
    manifest = read_manifest(root / "manifest.json")
    recorded = manifest["settings"]["shape_sha256"]
    for name in TYPES:
        file = shapes / name.split(":")[0]
        absolute = str(file) + (":Bar" if name.endswith(":Bar") else "")
        assert recorded[absolute] == hashlib.sha256(file.read_bytes()).hexdigest()
    assert manifest["settings"]["object_types"] == [
        str(shapes / t.split(":")[0]) + (":Bar" if t.endswith(":Bar") else "") for t in TYPES]
    settings = MultiObjectSettings.from_dict(
        {k: v for k, v in manifest["settings"].items() if k != "kind"})
    names = [c["name"] for c in manifest["columns"]]
    meshes, seen = expected_meshes(), set()
    for view in (1, 2):
        latents = np.load(root / f"factors/m{view}/latents.npy")
        centres = settings.object_centres(latents)[:, 0]
        for pair in range(PAIRS):
            row = latents[pair]
            kind = int(row[names.index("object0_type")])
            seen.add(kind)
            mask = load_rgba(root / f"masks/m{view}/{pair:06d}.png")[..., 0] == 1
            expected = silhouette(meshes[kind], centres[pair], row[names.index("object0_alpha")],
                                  row[names.index("object0_beta")])
            overlap = (mask & expected).sum() / (mask | expected).sum()
            assert mask.sum() >= 10 and overlap > 0.9, (
                f"{TYPES[kind]} in pair {pair} view {view}: {mask.sum()} pixels, "
                f"{expected.sum()} expected, IoU {overlap:.2f}")
    assert seen == set(range(len(TYPES))), seen  # every kind of file was drawn
    checked = _render(["validate", "data", "--sample", "4"], shapes)
    assert checked.returncode == 0, checked.stdout


@pytest.mark.blender
def test_without_the_file_validate_works_and_reproduce_says_so(shapes: Path,
                                                               tmp_path: Path) -> None:
    """Run after the render above (it reuses its dataset, made here if run alone)."""
    root = shapes / "data"
    if not (root / "manifest.json").exists():
        _render(["render", "--preset", str(_preset(shapes, TYPES)), "--n-pairs", str(PAIRS),
                 "--resolution", "32", "--samples", "1", "--out", "data"], shapes)
    moved = tmp_path / "bar.ply"
    shutil.move(shapes / "bar.ply", moved)
    try:
        checked = _render(["validate", str(root), "--sample", "0"], tmp_path)
        assert checked.returncode == 0, checked.stdout
        again = _render(["reproduce", str(root / "manifest.json"), "--out", "again"], tmp_path)
        lines = again.stderr.strip().splitlines()
        assert again.returncode == 2 and len(lines) == 1, again.stderr
        assert "object_types[2]" in lines[0] and "No such file" in lines[0], lines
        assert not (tmp_path / "again").exists()
        write_ascii_ply(shapes / "bar.ply", *box(1.0, 1.0, 1.0))  # another mesh, same name
        again = _render(["reproduce", str(root / "manifest.json"), "--out", "again"], tmp_path)
        assert again.returncode == 2 and "SHA-256" in again.stderr, again.stderr
        assert not (tmp_path / "again").exists()
    finally:
        shutil.move(moved, shapes / "bar.ply")


GARBLED = b"\x89garbage\x00\xff" * 40


@pytest.mark.blender
@pytest.mark.parametrize(("name", "content", "why"), [
    ("missing.obj", None, "No such file"),
    ("garbled.obj", GARBLED, "not a text OBJ file"),
    ("garbled.ply", GARBLED, "not a PLY file"),
    ("garbled.stl", GARBLED, "nor an ASCII STL"),
    ("garbled.blend:Bar", GARBLED, "not a .blend file"),
    ("hare.fbx", b"fbx", "PATH.obj, PATH.ply, PATH.stl or PATH.blend:OBJECT"),
    ("empty.obj", b"v 0 0 0\nv 1 0 0\nv 0 1 0\n# no faces\n", "no faces"),
    ("shapes.blend:Dragon", "blend", "no object named 'Dragon' (its objects: Bar, Marker)"),
    ("shapes.blend:Marker", "blend", "no geometry"),
])
def test_a_bad_mesh_file_is_one_line_and_writes_nothing(
        shapes: Path, tmp_path: Path, name: str, content: bytes | str | None, why: str) -> None:
    if content == "blend":
        shutil.copy(shapes / "shapes.blend", tmp_path / "shapes.blend")
    elif content is not None:
        (tmp_path / name.split(":")[0]).write_bytes(content)
    preset = _preset(tmp_path, ("cube", name))
    before = sorted(p.name for p in tmp_path.iterdir())
    done = _render(["render", "--preset", str(preset), "--n-pairs", "2", "--out", "out"],
                   tmp_path)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1, done.stderr
    assert lines[0].startswith(f"identbox: error: object_types[1] = '{name}'"), lines
    assert why in lines[0], lines
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no out/, nothing else


@pytest.mark.blender
def test_the_panel_shows_checks_and_renders_mesh_file_types(shapes: Path, tmp_path: Path) -> None:
    """A preset's mesh files show in the Objects sub-panel's Files field and come back from it;
    Render Dataset refuses a missing file in one line, writing nothing, and renders and
    previews files that are there."""
    result = run_blender(f"""
import json, pathlib, sys
import bpy, identbox
from identbox.presets import load_preset
from identbox.settings.panel import multi_settings_from_props, show_in_props
identbox.register()
props = bpy.context.scene.identbox
show_in_props(load_preset({str(_preset(shapes, ("cube", *TYPES[:2])))!r}), props)
result = {{"shown": props.multi.mesh_files,
          "types": list(multi_settings_from_props(props).object_types)}}
props.n_pairs, props.render.resolution, props.render.samples = 1, 48, 1
props.multi.min_pixels = 5
props.directory = sys.argv[1]
try:  # relative to this folder, which has no such files
    bpy.ops.identbox.render_dataset()
except RuntimeError as error:
    result["missing"] = str(error)
result["written"] = pathlib.Path(sys.argv[1]).exists()
props.multi.mesh_files = "{shapes}/sphere.obj; {shapes}/shapes.blend:Bar"
result["rendered"] = sorted(bpy.ops.identbox.render_dataset())
manifest = json.loads((pathlib.Path(sys.argv[1]) / "manifest.json").read_text())
result["recorded"] = sorted(manifest["settings"]["shape_sha256"])
bpy.ops.identbox.preview_sample(index=0, view=1)
result["preview"] = [bpy.context.scene.name, sorted(m.name for m in bpy.data.meshes)]
identbox.unregister()
report(result)
""", tmp_path, str(tmp_path / "out"))
    assert result["shown"] == "sphere.obj; plate.stl"
    assert result["types"] == ["cube", "sphere.obj", "plate.stl"]
    assert "object_types[1] = 'sphere.obj'" in result["missing"]
    assert "No such file" in result["missing"] and not result["written"]
    assert result["rendered"] == ["FINISHED"]
    assert result["recorded"] == [f"{shapes}/shapes.blend:Bar", f"{shapes}/sphere.obj"]
    scene, meshes = result["preview"]
    assert scene == "IdentBox Objects", result
    assert {"IdentBox Shape sphere.obj", "IdentBox Shape shapes.blend:Bar"} <= set(meshes), meshes


# A .blend object as a published generator saw it: its origin off the box's centre, its own
# scale (not uniform), a turn and a location. The published kinds keep the origin and the scale
# (times the published load scale, 1.5) and replace the turn and the location.
COW_SHIFT, COW_SCALE = np.array([0.4, 0.0, 0.0]), np.array([0.5, 1.0, 2.0])


@pytest.mark.blender
def test_published_kinds_keep_a_blend_object_s_origin_and_scale(tmp_path: Path) -> None:
    vertices, faces = box(2.0, 0.5, 0.5)
    run_blender(f"""
import bpy
bpy.ops.wm.read_factory_settings(use_empty=True)
mesh = bpy.data.meshes.new("cow")
mesh.from_pydata({(vertices + COW_SHIFT).tolist()!r}, [], {faces!r})
cow = bpy.data.objects.new("Cow", mesh)
cow.scale = {COW_SCALE.tolist()!r}
cow.rotation_euler = (1.5708, 0.0, 0.5)
cow.location = (5.0, -2.0, 1.0)
bpy.context.scene.collection.objects.link(cow)
bpy.ops.wm.save_as_mainfile(filepath={str(tmp_path / "cow.blend")!r})
report({{}})
""", tmp_path)
    found = run_blender("""
import numpy as np
from identbox.settings.multimodal import MultimodalSettings
from identbox.settings.objects import MultiObjectSettings
from identbox.scene.multimodal import BlenderMultimodalRenderer
from identbox.scene.multi import BlenderMultiRenderer
published = BlenderMultimodalRenderer(
    MultimodalSettings(object_types=("cow.blend:Cow",) + ("teapot",) * 6), device="cpu")
points = np.array([v.co[:] for v in published.meshes[0].vertices]) * np.array(
    published.object.scale)
objects = BlenderMultiRenderer(MultiObjectSettings(object_types=("cow.blend:Cow",)),
                               device="cpu")
own = np.array([v.co[:] for v in objects.shapes[0].vertices])
report({"low": points.min(axis=0).tolist(), "high": points.max(axis=0).tolist(),
        "size": published.sizes[0], "own_centre": ((own.max(axis=0) + own.min(axis=0)) / 2
                                                   ).tolist()})
""", tmp_path)
    corners = (vertices + COW_SHIFT) * COW_SCALE * 1.5  # unturned, about the file's origin
    assert np.allclose(found["low"], corners.min(axis=0), atol=1e-5), found
    assert np.allclose(found["high"], corners.max(axis=0), atol=1e-5), found
    assert found["size"] == pytest.approx(np.ptp(corners, axis=0).max(), abs=1e-5)
    # The Objects kind keeps IdentBox's own design: every shape centred on its box.
    assert np.allclose(found["own_centre"], 0.0, atol=1e-6), found
