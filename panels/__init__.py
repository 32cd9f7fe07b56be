"""The sidebar UI: panels draw properties and call operators, nothing else."""

from ..registration import register_classes, unregister_classes
from .dataset import (
    IDENTBOX_PT_blocks,
    IDENTBOX_PT_causal,
    IDENTBOX_PT_cube,
    IDENTBOX_PT_dataset,
    IDENTBOX_PT_objects,
    IDENTBOX_PT_preview,
    IDENTBOX_PT_progress,
    IDENTBOX_PT_render,
    IDENTBOX_PT_views,
    IDENTBOX_UL_edges,
    IDENTBOX_UL_templates,
    IDENTBOX_UL_views,
)
from .intervention import IDENTBOX_PT_intervention
from .sequence import IDENTBOX_PT_sequence

# Parents before children; this order is also the order in the sidebar.
classes = (IDENTBOX_UL_edges, IDENTBOX_UL_views, IDENTBOX_UL_templates, IDENTBOX_PT_dataset,
           IDENTBOX_PT_progress, IDENTBOX_PT_preview, IDENTBOX_PT_sequence, IDENTBOX_PT_blocks,
           IDENTBOX_PT_causal, IDENTBOX_PT_intervention, IDENTBOX_PT_objects, IDENTBOX_PT_views,
           IDENTBOX_PT_render, IDENTBOX_PT_cube)


def register() -> None:
    """Register this package's classes."""
    register_classes(classes)


def unregister() -> None:
    """Unregister this package's classes."""
    unregister_classes(classes)
