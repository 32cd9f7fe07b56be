"""The IdentBox sidebar tab: the Dataset panel and its sub-panels, one concern each."""

import time
from pathlib import Path
from typing import Any

import bpy

from ..dataset.sheets.sentence_preview import preview_sentence
from ..errors import SettingsError
from ..operators.job_properties import resolve_output_folder
from ..presets import has_published_look, render_preset_label, render_preset_names
from ..properties import settings_of
from ..properties.groups import fill_default_views_later
from ..render.estimates import JobEstimate, clock_text, estimate, free_bytes, size_text
from ..sampling.factors import BLOCK_NAMES
from ..sampling.multi import OBJECT_TYPES
from ..sampling.rig import RIG_BLOCKS
from ..sampling.text import TEXT_WORDS
from ..scene.cube_playback import label_frames
from ..scene.thumbnail import thumbnail_icon
from ..settings.kinds import CUBE_MODE, OBJECTS_MODE, PAIRS_MODE, SEQUENCE_MODE, panel_kinds
from ..settings.pairs import DatasetSettings
from ..settings.panel import (
    cube_settings_from_props,
    job_settings_from_props,
    pair_settings_from_props,
    panel_message,
    run_options_from_props,
)
from ..settings.views import TEXT
from .base import (
    IdentBoxPanel,
    ImageModePanel,
    PairModesPanel,
    PairsModePanel,
    draw_error,
    draw_problem,
    draw_status,
    draw_wrapped,
    settings_error,
    settings_problem,
)
from .sequence import draw_frame_preview

LAST_DRAW = 0.0  # when the Dataset panel was last drawn (a GUI test checks the tab is open)
WORD_LABELS = {"ground_colour": "Ground", "spot_colour": "Spotlight"}  # the rest: title case


def _props(context: Any) -> Any:
    return settings_of(context)


# Crystal is glass: at the published 0 bounces no light passes through it (as in the original).
CRYSTAL_NOTE = "Crystal draws almost black at 0 bounces (as published): raise Render > Bounces"


def _width(context: Any) -> int:
    """The sidebar's width in pixels (0 when unknown: a drawing test's context)."""
    return int(getattr(getattr(context, "region", None), "width", 0))



def has_published_look_in_props(props: Any) -> bool:
    """Whether the properties' scene and render settings, and every view's material, are the
    published ones."""
    try:
        return has_published_look(pair_settings_from_props(props))
    except SettingsError:
        return False


class IDENTBOX_PT_dataset(IdentBoxPanel, bpy.types.Panel):
    """The dataset: preset, output folder, pairs, seed, shard; and its validity."""

    bl_label = "Dataset"
    bl_idname = "IDENTBOX_PT_dataset"

    def draw_header_preset(self, context: bpy.types.Context) -> None:
        layout = self.layout
        assert layout is not None
        row = layout.row(align=True)  # icons only: a long preset name would cover the title
        row.menu("IDENTBOX_MT_presets", text="", icon="PRESET")
        row.operator("identbox.add_preset", text="", icon="ADD")

    def draw(self, context: bpy.types.Context) -> None:
        global LAST_DRAW
        LAST_DRAW = time.time()
        layout = self.layout
        assert layout is not None
        props = _props(context)
        home = getattr(context.scene, "identbox_home", None)
        # Always this row (greyed while the user's scene is shown), so that the mode tabs
        # below never move as an IdentBox scene comes and goes.
        back = layout.row()
        back.enabled = home is not None
        back.operator("identbox.back_to_scene", icon="LOOP_BACK",
                      text=f"Back to {home.name}" if home is not None else "Back to Scene")
        modes = layout.grid_flow(row_major=True, columns=2, even_columns=True, align=True)
        for kind in panel_kinds():  # two by two: never cut
            if kind.panel is not None:
                modes.prop_enum(props, "mode", kind.panel.mode)
        if props.mode != CUBE_MODE:
            layout.label(text=props.name, icon="PRESET")
        layout.use_property_split = True
        layout.use_property_decorate = False
        layout.prop(props, "directory", text="Folder")
        if props.mode in (PAIRS_MODE, OBJECTS_MODE):  # a sequence's length and seed: under Sequence
            layout.prop(props, "n_pairs")
            layout.prop(props, "seed")
        layout.prop(props, "batch_index", text="Shard")
        layout.prop(props, "n_batches", text="Shards")
        draw_status(layout, settings_problem(props),
                    getattr(getattr(context, "region", None), "width", 0))
        if props.mode != CUBE_MODE:
            column = layout.column(align=True)
            column.operator("identbox.validate_settings", icon="CHECKMARK")
            if props.mode != SEQUENCE_MODE:  # a sequence's latents are written by its render
                column.operator("identbox.sample_latents", icon="FILE_NEW")


class IDENTBOX_PT_blocks(PairModesPanel, bpy.types.Panel):
    """Each block's type, distributions and change probability."""

    bl_label = "Blocks"
    bl_idname = "IDENTBOX_PT_blocks"
    bl_parent_id = "IDENTBOX_PT_dataset"

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        assert layout is not None
        props = _props(context)
        names = BLOCK_NAMES if props.mode == PAIRS_MODE else ("objects", *BLOCK_NAMES)
        for name in (*names, *RIG_BLOCKS):
            block = getattr(props, name)
            box = layout.box()
            box.use_property_split = True
            box.use_property_decorate = False
            if name in RIG_BLOCKS:  # optional: off is the published, fixed camera or lights
                box.prop(block, "enabled", text=name.title())
                if not block.enabled:
                    continue
            box.prop(block, "type", text="Type" if name in RIG_BLOCKS else name.title())
            # Short labels: the label column of the default sidebar fits about nine letters.
            box.prop(block, "marginal_kind", text="View 1")
            if name == "objects":
                if block.type == "style":
                    box.prop(block, "change_probability", slider=True, text="P(change)")
                draw_problem(box, context, "blocks.objects")
                continue
            if block.marginal_kind == "uniform":
                row = box.row(align=True)
                row.prop(block, "marginal_low")
                row.prop(block, "marginal_high")
            else:
                box.prop(block, "marginal_std", text="Std")
            if block.type == "style":
                box.prop(block, "conditional_kind", text="View 2")
                if block.conditional_kind == "normal":
                    box.prop(block, "conditional_std", text="V2 Std")
                else:
                    box.prop(block, "conditional_half_width", text="V2 Width")
                box.prop(block, "change_probability", slider=True, text="P(change)")
            elif block.type == "view_specific" and name in RIG_BLOCKS:
                box.label(text="Drawn anew in every view", icon="INFO")
            elif block.type == "view_specific" and props.mode == PAIRS_MODE:
                roles = DatasetSettings.from_dict(
                    {"blocks": {name: {"type": "view_specific",
                                       "view_roles": block.view_roles.split(",")
                                       if block.view_roles else None}}}).view_roles(name)
                short = [role.split("_", 1)[-1] for role in roles]  # pos_z -> z
                draw_wrapped(box, "m1 {}, m2 {} (0), m3 {}".format(*short), _width(context),
                             icon="INFO")
            draw_problem(box, context, f"blocks.{name}")


class IDENTBOX_UL_edges(bpy.types.UIList):
    """One row per causal edge: parent -> child (its strength is with the chosen edge's
    fields below; at the sidebar's default width a row holds no more)."""

    bl_idname = "IDENTBOX_UL_edges"

    def draw_item(self, context: Any, layout: Any, data: Any, item: Any, icon: Any,
                  active_data: Any, active_property: Any, index: Any = 0,
                  flt_flag: Any = 0) -> None:
        layout.label(text=f"{item.parent} \u2192 {item.child}")


class IDENTBOX_PT_causal(PairsModePanel, bpy.types.Panel):
    """Causal edges between factors (Part 2 of 3DIdentBox)."""

    bl_label = "Causal"
    bl_idname = "IDENTBOX_PT_causal"
    bl_parent_id = "IDENTBOX_PT_dataset"
    bl_options = {"DEFAULT_CLOSED"}

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        assert layout is not None
        props = _props(context)
        # The list has the whole width (its add/remove buttons under it, not beside it), so
        # that "hue_background \u2192 pos_z" fits at the sidebar's default width.
        layout.template_list("IDENTBOX_UL_edges", "", props, "edges", props, "active_edge",
                             rows=3)
        buttons = layout.row(align=True)
        buttons.operator("identbox.edge_add", text="Add", icon="ADD")
        buttons.operator("identbox.edge_remove", text="Remove", icon="REMOVE")
        if 0 <= props.active_edge < len(props.edges):  # the chosen edge, field by field
            edge = props.edges[props.active_edge]
            details = layout.column(align=True)
            details.use_property_split = True
            details.prop(edge, "parent")
            details.prop(edge, "child")
            details.prop(edge, "strength")
        draw_problem(layout, context, "causal")


class IDENTBOX_PT_objects(PairModesPanel, bpy.types.Panel):
    """The scene's objects."""

    bl_label = "Objects"
    bl_idname = "IDENTBOX_PT_objects"
    bl_parent_id = "IDENTBOX_PT_dataset"
    bl_options = {"DEFAULT_CLOSED"}

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        assert layout is not None
        props = _props(context)
        if props.mode == PAIRS_MODE:
            draw_wrapped(layout, "One object: the Utah teapot", _width(context),
                         icon="MESH_MONKEY")
            layout.prop(props.scene_options, "teapot_resolution")
            return
        multi = props.multi
        layout.use_property_split = True
        layout.prop(multi, "n_objects")
        column = layout.column(heading="Types", align=True)
        for kind in OBJECT_TYPES:
            column.prop(multi, f"type_{kind}")
        layout.prop(multi, "mesh_files", text="Files")
        layout.prop(multi, "min_gap", text="Gap")
        layout.prop(multi, "min_pixels", text="Min Px")
        # Beside the images, one a row under a short heading: "Also Render" with both side
        # by side was cut to "Also Re... M... D..." at the sidebar's default width.
        extras = layout.column(heading="Extras", align=True)
        extras.prop(multi, "masks")
        extras.prop(multi, "depth")
        draw_problem(layout, context, "objects")


class IDENTBOX_UL_views(bpy.types.UIList):
    """One row per view: its number (its folder is mK), its name and material; the selected
    view's fields are drawn in full under the list (the sidebar is too narrow for a row of
    three menus)."""

    bl_idname = "IDENTBOX_UL_views"

    def draw_item(self, context: Any, layout: Any, data: Any, item: Any, icon: Any,
                  active_data: Any, active_property: Any, index: Any = 0,
                  flt_flag: Any = 0) -> None:
        split = layout.split(factor=0.15)
        split.label(text=str(index + 1))
        row = split.row()
        row.prop(item, "name", text="", emboss=False)
        row.label(text="Text" if item.modality == TEXT else item.material)


class IDENTBOX_UL_templates(bpy.types.UIList):
    """One row per template of the selected text view, edited in place."""

    bl_idname = "IDENTBOX_UL_templates"

    def draw_item(self, context: Any, layout: Any, data: Any, item: Any, icon: Any,
                  active_data: Any, active_property: Any, index: Any = 0,
                  flt_flag: Any = 0) -> None:
        layout.prop(item, "text", text="", emboss=False)


def _draw_text_view(layout: Any, view: Any, width: int, objects: bool = False) -> None:
    """A text view's words (checkboxes) and templates (a list with + and -, the selected one
    shown whole: a row of the list shows its start only); in Objects mode, which objects it
    says and in what order."""
    if objects:
        layout.prop(view, "text_objects", text="Objects")
        if view.text_objects == "each":
            layout.prop(view, "text_order", text="Order")
    column = layout.column(heading="Describe", align=True)
    for word in TEXT_WORDS:  # short labels: the sidebar's value column is narrow
        column.prop(view, f"describe_{word}", text=WORD_LABELS.get(word, word.title()))
    layout.label(text="Templates (one per sample)")
    row = layout.row()
    row.template_list("IDENTBOX_UL_templates", "", view, "templates", view, "active_template",
                      rows=3)
    column = row.column(align=True)
    column.operator("identbox.template_add", text="", icon="ADD")
    column.operator("identbox.template_remove", text="", icon="REMOVE")
    if 0 <= view.active_template < len(view.templates):
        box = layout.box()
        draw_wrapped(box, view.templates[view.active_template].text, width)


class IDENTBOX_PT_views(PairModesPanel, bpy.types.Panel):
    """The views of each sample (name, modality; an image view's material, a text view's words
    and templates), and how hues become colours."""

    bl_label = "Views"
    bl_idname = "IDENTBOX_PT_views"
    bl_parent_id = "IDENTBOX_PT_dataset"

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        assert layout is not None
        props = _props(context)
        if not props.views:
            fill_default_views_later(props)
        row = layout.row()
        row.template_list("IDENTBOX_UL_views", "", props, "views", props, "active_view", rows=3)
        column = row.column(align=True)
        column.operator("identbox.view_add", text="", icon="ADD")
        column.operator("identbox.view_remove", text="", icon="REMOVE")
        layout.use_property_split = True
        layout.use_property_decorate = False
        if 0 <= props.active_view < len(props.views):
            view = props.views[props.active_view]
            column = layout.column(align=True)
            column.prop(view, "name")
            column.prop(view, "modality")
            if view.modality == TEXT:
                _draw_text_view(layout, view, _width(context), props.mode == OBJECTS_MODE)
            else:
                column.prop(view, "material")
                if view.material == "Crystal" and props.render.max_bounces == 0:
                    draw_wrapped(layout, CRYSTAL_NOTE, _width(context), icon="INFO")
        draw_problem(layout, context, "views")
        layout.prop(props.scene_options, "hue_mapping", text="Hues")
        row = layout.row()
        row.operator("identbox.use_published_look", icon="IMAGE_REFERENCE")
        if has_published_look_in_props(props):
            row.label(text="As published", icon="CHECKMARK")


class IDENTBOX_PT_render(ImageModePanel, bpy.types.Panel):
    """Device and Cycles settings."""

    bl_label = "Render"
    bl_idname = "IDENTBOX_PT_render"
    bl_parent_id = "IDENTBOX_PT_dataset"

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        assert layout is not None
        props = _props(context)
        render = props.render
        presets = layout.column(align=True)  # one under another: their names never cut
        for name in render_preset_names():
            presets.operator("identbox.load_render_preset",
                             text=render_preset_label(name)).name = name
        layout.use_property_split = True
        layout.use_property_decorate = False
        layout.prop(props, "device")
        layout.prop(props, "workers")
        layout.prop(render, "resolution")
        layout.prop(render, "samples")
        layout.prop(render, "adaptive_threshold", text="Adaptive")
        layout.prop(render, "denoiser")
        layout.prop(render, "max_bounces", text="Bounces")
        layout.prop(render, "file_format", text="Format")
        if render.file_format == "JPEG":
            layout.prop(render, "jpeg_quality", text="Quality")
        draw_problem(layout, context, "render")


class IDENTBOX_PT_preview(ImageModePanel, bpy.types.Panel):
    """Scrub through samples (or step through a sequence's frames) in the viewport, exactly
    as they will render."""

    bl_label = "Preview"
    bl_idname = "IDENTBOX_PT_preview"
    bl_parent_id = "IDENTBOX_PT_dataset"

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        assert layout is not None
        props = _props(context)
        if props.mode == SEQUENCE_MODE:
            draw_frame_preview(layout, props, _width(context))
            return
        layout.prop(props, "sample_index")
        view = props.views[props.preview_view - 1] if props.views else None
        layout.prop(props, "preview_view", text=f"View ({view.name})" if view else "View")
        layout.operator("identbox.preview_sample", icon="HIDE_OFF")
        if view is not None and view.modality == TEXT:
            _draw_sentence(layout, props, _width(context))


def _draw_sentence(layout: Any, props: Any, width: int) -> None:
    """The previewed sample's sentence in the previewed text view (the viewport shows the
    scene of that view's latents)."""
    try:
        settings = pair_settings_from_props(props)
    except SettingsError:
        return  # said in the sub-panel of the field that is wrong
    sentence = preview_sentence(settings, props.sample_index, props.preview_view)
    if sentence is not None:
        box = layout.box()
        draw_wrapped(box, sentence, width, icon="FILE_TEXT")


def _draw_estimate(layout: Any, props: Any) -> None:
    """What Render will write, the free space, and the time at the last run's rate."""
    try:
        settings = (cube_settings_from_props(props.cube) if props.mode == CUBE_MODE
                    else job_settings_from_props(props))
        job = estimate(settings, run_options_from_props(props))
        free = free_bytes(resolve_output_folder(props.directory))
    except SettingsError:
        return
    layout.label(text=f"{job.images:,} images, ~{size_text(job.bytes)}",  # fits the width
                 icon="FILE_IMAGE")
    if job.bytes > free:
        draw_error(layout, f"Not enough disk space: {size_text(free)} free where the "
                           "output folder is")
    layout.label(text=time_estimate(props.progress, job), icon="TIME")


def time_estimate(progress: Any, job: JobEstimate) -> str:
    """'About 00:01:10': at the last run's speed, carried to these settings through the rough
    model; before any run (or after one of another unit), the model's own time on a 2-core
    CPU, marked rough."""
    seconds = None
    if progress.unit == job.unit:
        seconds = job.calibrated_seconds(progress.rate, progress.rough_per_item)
    if seconds is None:
        return f"About {clock_text(job.rough_seconds)} (rough)"
    return f"About {clock_text(seconds)}"


def _about_this_folder(props: Any) -> bool:
    """Whether the last run's (or check's) message is about the output folder shown now: a
    message and buttons of another folder would act on a dataset the panel no longer names."""
    try:
        here = resolve_output_folder(props.directory)
    except SettingsError:
        return False
    last = props.progress.output
    return bool(last) and Path(bpy.path.abspath(last)).resolve() == here.resolve()


class IDENTBOX_PT_progress(IdentBoxPanel, bpy.types.Panel):
    """Render Dataset, and its progress while it runs."""

    bl_label = "Progress"
    bl_idname = "IDENTBOX_PT_progress"
    bl_parent_id = "IDENTBOX_PT_dataset"

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        assert layout is not None
        props = _props(context)
        progress = props.progress
        if progress.running:
            unit = "frames" if props.mode in (CUBE_MODE, SEQUENCE_MODE) else "pairs"
            text = f"{progress.done}/{progress.total} {unit}"
            if hasattr(layout, "progress"):  # Blender 4.0+
                layout.progress(factor=progress.fraction / 100.0, type="BAR", text=text)
            else:
                row = layout.row()
                row.enabled = False
                row.prop(progress, "fraction", slider=True, text=text)
            layout.label(text=f"{progress.rate:.2f} {unit}/s, ETA {progress.eta}", icon="TIME")
            layout.operator("identbox.cancel_render", icon="CANCEL")
            icon = thumbnail_icon()
            if icon is not None:  # the last item drawn (view 1), refreshed about once a second
                layout.template_icon(icon_value=icon, scale=6.0)
            return
        row = layout.row()
        row.scale_y = 1.5
        can_run = settings_error(props) is None
        row.enabled = can_run
        if props.mode == CUBE_MODE:
            row.operator("identbox.render_cube", icon="RENDER_ANIMATION")
        else:
            row.operator("identbox.render_dataset", icon="RENDER_ANIMATION")
        if can_run:
            _draw_estimate(layout, props)
        if progress.message and _about_this_folder(props):
            draw_wrapped(layout, progress.message.split(" in /")[0], _width(context),
                         icon="INFO")  # no path
            column = layout.column(align=True)
            column.operator("identbox.open_output", icon="FILE_FOLDER")
            column.operator("identbox.validate_dataset", icon="CHECKMARK")
            if props.mode != CUBE_MODE:
                column.operator("identbox.contact_sheet", icon="IMAGE_DATA")
                column.operator("identbox.plot_latents", icon="GRAPH")


class IDENTBOX_PT_cube(IdentBoxPanel, bpy.types.Panel):
    """The cLPR cube: rotations, sizes, file format; and label playback."""

    bl_label = "Cube"
    bl_idname = "IDENTBOX_PT_cube"
    bl_parent_id = "IDENTBOX_PT_dataset"

    @classmethod
    def poll(cls, context: Any) -> bool:
        return bool(settings_of(context).mode == CUBE_MODE)

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        assert layout is not None
        cube = _props(context).cube
        layout.use_property_split = True
        layout.use_property_decorate = False
        layout.prop(cube, "random_frames", text="Random")
        if cube.random_frames:
            layout.prop(cube, "seed")
        else:
            layout.prop(cube, "step")
        layout.prop(cube, "sizes")
        layout.prop(cube, "file_format", text="Format")
        if cube.file_format == "JPEG":
            layout.prop(cube, "jpeg_quality", text="Quality")
        layout.prop(cube, "samples")
        draw_problem(layout, context, "cube")
        box = layout.box()
        box.label(text="Playback", icon="PLAY")
        box.prop(cube, "label_file")
        box.prop(cube, "frame")
        if cube.label_file:
            try:
                frames = label_frames(cube.label_file)
                if cube.frame >= frames:
                    draw_error(box, f"Frame {cube.frame}: the file has frames 0 to {frames - 1}")
            except SettingsError as error:
                draw_error(box, panel_message(error))
        box.operator("identbox.play_cube_labels", icon="HIDE_OFF")
