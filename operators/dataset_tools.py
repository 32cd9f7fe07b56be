"""Validate Dataset, Contact Sheet and Plot Latents on the output folder, from the panel."""

from pathlib import Path
from typing import TYPE_CHECKING, Any

import bpy

from ..dataset.layout import CONTACT_SHEET, LATENT_PLOT, MANIFEST
from ..errors import USER_ERRORS, DatasetError, describe
from .job_properties import resolve_output_folder, scene_props

if TYPE_CHECKING:
    from bpy.stub_internal.rna_enums import OperatorReturnItems


def output_folder(context: Any) -> Path:
    """The panel's output folder: the buttons act on the dataset the panel shows."""
    return resolve_output_folder(scene_props(context).directory)


def _image_editors(context: Any) -> list[Any]:
    return [area for window in context.window_manager.windows
            for area in window.screen.areas if area.type == "IMAGE_EDITOR"]


def show_image(context: Any, path: Path) -> None:
    """Load an image and show it in an Image Editor: one the user has open, else the one
    Blender opens for renders (a new window by default)."""
    image = bpy.data.images.load(str(path), check_existing=True)
    image.reload()
    if bpy.app.background or getattr(context, "window", None) is None:
        return
    editors = _image_editors(context)
    if not editors:
        bpy.ops.render.view_show("INVOKE_DEFAULT")
        editors = _image_editors(context)
    for area in editors[:1]:
        area.spaces.active.image = image
        area.tag_redraw()


class IDENTBOX_OT_validate_dataset(bpy.types.Operator):
    """Check the output folder's dataset: files, latents, block rules, images"""

    bl_idname = "identbox.validate_dataset"
    bl_label = "Validate Dataset"
    bl_options = {"REGISTER"}

    def execute(self, context: bpy.types.Context) -> "set[OperatorReturnItems]":
        from ..dataset.check import validate_dataset

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
    """Mixin: draw an image of the output folder's dataset into it, then show it."""

    filename = ""

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
        from ..dataset.sheets import contact_sheet

        return contact_sheet(root, out)


class IDENTBOX_OT_plot_latents(_DrawAndShow, bpy.types.Operator):
    """Plot each factor's view 1 against view 2 and any further view (latents.png) and show it"""

    bl_idname = "identbox.plot_latents"
    bl_label = "Plot Latents"
    bl_options = {"REGISTER"}
    filename = LATENT_PLOT

    def draw_into(self, root: Path, out: Path) -> Path:
        from ..dataset.manifest import read_any_manifest
        from ..dataset.sheets import is_sequence, plot_latents
        from ..evaluate.plots import plot_latents as plot_with_matplotlib

        try:
            return plot_with_matplotlib(root, out)
        except ImportError:  # Blender's own Python has no matplotlib: the plain plot instead
            install = f"{blender_python()} -m pip install matplotlib"
            if is_sequence(read_any_manifest(root / MANIFEST)):
                raise DatasetError(f"a sequence's latents are drawn with matplotlib: "
                                   f"{install}") from None
            self.report({"WARNING"}, f"matplotlib draws the full plot: {install}; drew the "
                                     "plain one")
            return plot_latents(root, out)


def blender_python() -> str:
    """The Python this Blender runs, to install into: sys.executable can name another one
    when Blender uses the system's Python (Debian's blender)."""
    import sys

    own = Path(sys.prefix) / "bin" / f"python{sys.version_info.major}.{sys.version_info.minor}"
    return str(own) if own.exists() else sys.executable
