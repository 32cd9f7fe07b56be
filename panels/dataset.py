"""The IdentBox sidebar tab (View3D > Sidebar > IdentBox)."""

import bpy


class IDENTBOX_PT_dataset(bpy.types.Panel):
    """Entry point of the IdentBox tab: sample a dataset's latents."""

    bl_label = "Dataset"
    bl_idname = "IDENTBOX_PT_dataset"
    bl_space_type = "VIEW_3D"
    bl_region_type = "UI"
    bl_category = "IdentBox"

    def draw(self, context: bpy.types.Context) -> None:
        layout = self.layout
        assert layout is not None
        layout.operator("identbox.sample_latents", icon="FILE_NEW")
