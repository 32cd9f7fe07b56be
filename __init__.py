"""IdentBox: benchmark image-pair datasets from controlled ground-truth factors, in Blender.

Importing this package needs only numpy; Blender modules are imported by register() alone,
so the sampling core and the command line run in any Python.
"""

from .version import __version__

# Read by Blender 3.4-4.1 (legacy add-on install); ignored when installed as an extension.
bl_info = {
    "name": "IdentBox",
    "author": "IdentBox developers",
    "version": (0, 1, 0),
    "blender": (3, 4, 0),
    "location": "View3D > Sidebar > IdentBox",
    "description": "Benchmark image-pair datasets from controlled ground-truth factors",
    "category": "Render",
}

__all__ = ["__version__", "bl_info", "register", "unregister"]

_cli_handle = None  # the `blender -c identbox` command, on Blender 4.2+


def _blender_command(argv: list[str]) -> int:
    """`blender -b -c identbox ARGS`: the same command line as `python -m identbox ARGS`."""
    from .cli import main

    return main(argv)


def register() -> None:
    """Register operators, then panels, then the command (Blender calls this on enable)."""
    global _cli_handle
    import bpy

    from . import operators, panels, properties
    from .dataset.checking.images import use_reader
    from .scene.image_reader import load_rgba_with_blender

    properties.register()
    operators.register()
    panels.register()
    use_reader(load_rgba_with_blender)  # Blender's Python has no Pillow
    if hasattr(bpy.utils, "register_cli_command"):
        _cli_handle = bpy.utils.register_cli_command(  # type: ignore[func-returns-value]
            "identbox", _blender_command)


def unregister() -> None:
    """Unregister in the reverse order of register()."""
    global _cli_handle
    import bpy

    from . import operators, panels, properties

    if _cli_handle is not None:
        bpy.utils.unregister_cli_command(_cli_handle)
        _cli_handle = None
    from .scene.tags import remove_everything

    panels.unregister()
    operators.unregister()
    if not _blender_is_exiting():  # removing scenes while windows close crashes Blender
        remove_everything()  # scenes, objects, materials: disabling leaves the file as it was
    properties.unregister()


def _blender_is_exiting() -> bool:
    """Blender disables every add-on as it exits (addon_utils.disable_all, from WM_exit, in
    3.4 to 5.x); then the file is no longer the user's to tidy, and its windows are closing."""
    import sys
    from types import FrameType

    frame: FrameType | None = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_name == "disable_all" and frame.f_code.co_filename.endswith(
                "addon_utils.py"):
            return True
        frame = frame.f_back
    return False
