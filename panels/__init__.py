"""The sidebar UI: panels draw properties and call operators, nothing else."""

import bpy

from .dataset import IDENTBOX_PT_dataset

classes = (IDENTBOX_PT_dataset,)



def register() -> None:
    """Register the classes in order."""
    for cls in classes:
        bpy.utils.register_class(cls)


def unregister() -> None:
    """Unregister in reverse order."""
    for cls in reversed(classes):
        bpy.utils.unregister_class(cls)
