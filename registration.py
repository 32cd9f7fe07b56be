"""Register bpy classes in order and unregister them in reverse.

A typed stand-in for bpy.utils.register_classes_factory (whose stubs say it returns None).
"""

from collections.abc import Sequence

import bpy


def register_classes(classes: Sequence[type]) -> None:
    """Register each class, in order."""
    for cls in classes:
        bpy.utils.register_class(cls)


def unregister_classes(classes: Sequence[type]) -> None:
    """Unregister each class, in reverse order."""
    for cls in reversed(classes):
        bpy.utils.unregister_class(cls)
