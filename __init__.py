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


def register() -> None:
    """Register operators, then panels (Blender calls this when the add-on is enabled)."""
    from . import operators, panels

    operators.register()
    panels.register()


def unregister() -> None:
    """Unregister in the reverse order of register()."""
    from . import operators, panels

    panels.unregister()
    operators.unregister()
