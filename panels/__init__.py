"""The sidebar UI: panels draw properties and call operators, nothing else."""

from ..registration import register_classes, unregister_classes
from .dataset import IDENTBOX_PT_dataset

classes = (IDENTBOX_PT_dataset,)


def register() -> None:
    """Register this package's classes."""
    register_classes(classes)


def unregister() -> None:
    """Unregister this package's classes."""
    unregister_classes(classes)
