"""The bpy layer: builds the IdentBox scene once and mirrors plain scene states into it.

Everything here takes plain data (settings, SceneState) and touches Blender; the decisions
live in `model/`, `sampling/` and `settings`.
"""

import bpy  # noqa: F401  (first: Blender's bmesh module can be imported only after bpy)
