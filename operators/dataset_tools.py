"""Validate Dataset, Contact Sheet, Plot Latents and Open Output Folder, on the output folder,
from the panel."""

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from functools import lru_cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import bpy

from ..dataset.files.layout import CONTACT_SHEET, LATENT_PLOT, MANIFEST, held_format
from ..errors import USER_ERRORS, SettingsError, describe
from ..scene.tags import tagged
from ..settings.kinds import PAIR_FORMAT, SEQUENCE_FORMAT, kinds
from .job_properties import resolve_output_folder, scene_props

if TYPE_CHECKING:
    from bpy.stub_internal.rna_enums import OperatorReturnItems

TOOLS = "tools"  # the owner tag of the images the tools load: disabling removes them
DRAWN_FORMATS = (PAIR_FORMAT, SEQUENCE_FORMAT)  # what a contact sheet or latent plot shows
OPENER_WAIT = 3.0  # seconds to wait for the file browser's opener to say it failed


def output_folder(context: Any) -> Path:
    """The panel's output folder: the buttons act on the dataset the panel shows."""
    return resolve_output_folder(scene_props(context).directory)


def _image_editors(context: Any) -> list[tuple[Any, Any]]:
    """Every Image Editor open, with its window."""
    return [(window, area) for window in context.window_manager.windows
            for area in window.screen.areas if area.type == "IMAGE_EDITOR"]


def show_image(context: Any, path: Path) -> None:
    """Load an image and show it whole in an Image Editor: one the user has open, else the
    one Blender opens for renders (a new window by default, opened at the image's size). The
    image is tagged: disabling the add-on removes it with the rest IdentBox made."""
    known = set(bpy.data.images)
    image = bpy.data.images.load(str(path), check_existing=True)
    if image not in known:  # made here (not an image the user loaded): IdentBox's to remove
        tagged(image, TOOLS)
    image.reload()
    if bpy.app.background or getattr(context, "window", None) is None:
        return
    editors = _image_editors(context)
    if not editors:
        _open_render_window(context, image)
        editors = _image_editors(context)
    if editors:
        window, area = editors[0]
        area.spaces.active.image = image
        view_whole(window, area)
        # A window opened just now has its final size once drawn: fit the image again then.
        bpy.app.timers.register(partial(view_whole, window, area), first_interval=0.2)


def _open_render_window(context: Any, image: Any) -> None:
    """Blender's render window, as big as the image (Blender sizes it by the scene's render
    resolution, 320 x 256 at least, within the screen): the resolution is the image's while
    the window opens, then the scene's again."""
    render = context.scene.render
    kept = render.resolution_x, render.resolution_y, render.resolution_percentage
    width, height = image.size
    with contextlib.suppress(AttributeError, TypeError, ValueError):  # linked: Blender's size
        if width and height:
            render.resolution_x, render.resolution_y = width, height
            render.resolution_percentage = 100
    try:
        bpy.ops.render.view_show("INVOKE_DEFAULT")
    finally:
        with contextlib.suppress(AttributeError, TypeError, ValueError):
            render.resolution_x, render.resolution_y, render.resolution_percentage = kept


def view_whole(window: Any, area: Any) -> None:
    """Zoom an Image Editor so that its image shows whole: 1:1 where it fits, else as large
    as fits; nothing when the area is gone (its window closed)."""
    try:
        region = next(r for r in area.regions if r.type == "WINDOW")
        image = area.spaces.active.image
        width, height = image.size if image is not None else (0, 0)
        with bpy.context.temp_override(window=window, area=area, region=region):
            bpy.ops.image.view_all(fit_view=width > region.width or height > region.height)
        area.tag_redraw()
    except (ReferenceError, StopIteration, RuntimeError, TypeError):  # closed meanwhile
        pass


@lru_cache(maxsize=32)
def _format_held(folder: str, stamp: tuple[int, int]) -> str | None:
    """held_format of a folder, read once per version of its manifest (the panel polls it at
    every redraw)."""
    return held_format(Path(folder))


def not_drawn_because(context: Any) -> str | None:
    """Why Contact Sheet and Plot Latents cannot draw the output folder's dataset (no dataset,
    a cube dataset), or None when they can, or when the folder itself is wrong (they say why
    when pressed)."""
    try:
        folder = output_folder(context)
        stat = (folder / MANIFEST).stat()
    except SettingsError:
        return None
    except OSError:
        return "This folder holds no dataset yet: render one first"
    found = _format_held(str(folder), (stat.st_mtime_ns, stat.st_size))
    if found in DRAWN_FORMATS:
        return None
    if found is None:
        return "This folder's manifest.json cannot be read: render the dataset again"
    label = next((kind.label for kind in kinds() if kind.format == found), "another")
    return (f"This folder holds a {label} dataset ({found}): contact sheets and latent plots "
            "show image pairs and sequences")


class IDENTBOX_OT_validate_dataset(bpy.types.Operator):
    """Check the output folder's dataset: files, latents, block rules, images"""

    bl_idname = "identbox.validate_dataset"
    bl_label = "Validate Dataset"
    bl_options = {"REGISTER"}

    def execute(self, context: bpy.types.Context) -> "set[OperatorReturnItems]":
        from ..dataset.checking.check import validate_dataset

        try:
            folder = output_folder(context)
            checks = validate_dataset(folder)
        except (*USER_ERRORS, KeyError, ValueError) as error:
            self.report({"ERROR"}, f"Not a valid dataset: {describe(error)}")
            return {"CANCELLED"}
        failed = [c for c in checks if not c.ok]
        message = (f"{len(checks) - len(failed)} checks passed, {len(failed)} failed"
                   + (f": {failed[0].name}: {failed[0].detail}" if failed else ""))
        progress = scene_props(context).progress
        progress.message, progress.output = message, str(folder)
        self.report({"ERROR" if failed else "INFO"}, message)
        return {"CANCELLED"} if failed else {"FINISHED"}


class _DrawAndShow:
    """Mixin: draw an image of the output folder's dataset into it, then show it. Greyed out
    (with the reason in its tooltip) where the folder holds nothing it can draw."""

    filename = ""

    @classmethod
    def poll(cls, context: bpy.types.Context) -> bool:
        why = not_drawn_because(context)
        if why is not None:
            cls.poll_message_set(why)  # type: ignore[attr-defined]
        return why is None

    def draw_into(self, root: Path, out: Path) -> Path:
        raise NotImplementedError

    def execute(self, context: bpy.types.Context) -> "set[OperatorReturnItems]":
        try:
            root = output_folder(context)
            path = self.draw_into(root, root / self.filename)
        except USER_ERRORS as error:
            self.report({"ERROR"}, describe(error))  # type: ignore[attr-defined]
            return {"CANCELLED"}
        show_image(context, path)
        self.report({"INFO"}, f"Wrote {path}")  # type: ignore[attr-defined]
        return {"FINISHED"}


class IDENTBOX_OT_contact_sheet(_DrawAndShow, bpy.types.Operator):
    """Draw 16 pairs side by side with their latents (contact_sheet.png) and show it"""

    bl_idname = "identbox.contact_sheet"
    bl_label = "Contact Sheet"
    bl_options = {"REGISTER"}
    filename = CONTACT_SHEET

    def draw_into(self, root: Path, out: Path) -> Path:
        from ..dataset.sheets.sheets import contact_sheet

        return contact_sheet(root, out)


class IDENTBOX_OT_plot_latents(_DrawAndShow, bpy.types.Operator):
    """Plot each factor's view 1 against view 2 and any further view, or a sequence's
    variables over its frames (latents.png), and show it"""

    bl_idname = "identbox.plot_latents"
    bl_label = "Plot Latents"
    bl_options = {"REGISTER"}
    filename = LATENT_PLOT

    def draw_into(self, root: Path, out: Path) -> Path:
        # Drawn with numpy, as the contact sheet is: Blender's Python has no matplotlib, and
        # Debian's refuses pip installs (externally managed). `identbox plot-latents` uses
        # matplotlib where it is installed.
        from ..dataset.sheets.sheets import plot_latents

        return plot_latents(root, out)


def open_folder(folder: Path) -> str | None:
    """Open a folder in the system's file browser; None when it opened, else why it did not.
    Blender's own path_open prints a traceback in the console when xdg-open is missing or
    finds no file browser (a server, a container, a desktop without one) and reports nothing."""
    if sys.platform.startswith("win"):
        try:
            os.startfile(str(folder))  # type: ignore[attr-defined]
        except OSError as error:
            return f"Windows could not open it ({error})"
        return None
    opener = "open" if sys.platform == "darwin" else "xdg-open"
    found = shutil.which(opener)
    if found is None:
        return f"no file browser to open it with ({opener} is not installed)"
    with tempfile.TemporaryFile() as said:
        process = subprocess.Popen([found, str(folder)], stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=said)
        try:
            status = process.wait(timeout=OPENER_WAIT)
        except subprocess.TimeoutExpired:  # still running: a browser that stays in front
            threading.Thread(target=process.wait, daemon=True).start()
            return None
        if status == 0:
            return None
        said.seek(0)
        lines = said.read().decode(errors="replace").strip().splitlines()
    detail = lines[-1].strip()[:120] if lines else f"exit status {status}"
    return f"no file browser opened it ({detail})"


class IDENTBOX_OT_open_output(bpy.types.Operator):
    """Open the output folder in the system's file browser"""

    bl_idname = "identbox.open_output"
    bl_label = "Open Output Folder"
    bl_options = {"REGISTER"}

    def execute(self, context: bpy.types.Context) -> "set[OperatorReturnItems]":
        props = scene_props(context)
        try:
            folder = resolve_output_folder(props.progress.output or props.directory)
        except SettingsError as error:
            self.report({"ERROR"}, str(error))
            return {"CANCELLED"}
        if not folder.is_dir():
            self.report({"ERROR"}, f"{folder} does not exist yet")
            return {"CANCELLED"}
        why = open_folder(folder)
        if why is not None:  # a report: the status bar says it, not the console alone
            self.report({"WARNING"}, f"{why[0].upper()}{why[1:]}; the folder is {folder}")
            return {"CANCELLED"}
        return {"FINISHED"}
