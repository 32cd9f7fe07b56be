"""The sidebar UI: panels draw properties and call operators, nothing else."""

import bpy

from .dataset import IDENTBOX_PT_dataset

classes = (IDENTBOX_PT_dataset,)

register, unregister = bpy.utils.register_classes_factory(classes)
