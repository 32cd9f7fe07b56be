"""The last item a run drew, as an image the panel shows small (a Blender image datablock,
reloaded by the run; panels cannot load images while they draw)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import bpy

from .tags import tagged

THUMBNAIL = "IdentBox Last Item"


def show_last_item(path: Path) -> None:
    """Point the thumbnail image at `path` and reload it."""
    image = bpy.data.images.get(THUMBNAIL)
    if image is None:
        image = tagged(bpy.data.images.load(str(path), check_existing=False), "thumbnail")
        image.name = THUMBNAIL
    elif image.filepath != str(path):
        image.filepath = str(path)
    image.reload()
    image.preview_ensure()
    image.preview.reload()


def thumbnail_icon() -> int | None:
    """The thumbnail's icon id for UILayout.template_icon, or None before the first item."""
    image: Any = bpy.data.images.get(THUMBNAIL)
    preview = getattr(image, "preview", None) if image is not None else None
    return preview.icon_id if preview is not None else None
