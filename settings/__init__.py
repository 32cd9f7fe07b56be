"""The plain description of a job, one module per kind of dataset (pairs, objects, cube),
plus the render and scene settings they share, dataset splits, and the panel's conversion.
No bpy here: the panel's properties, presets, the command line and manifests convert to and
from these objects, so nothing is defined twice."""
