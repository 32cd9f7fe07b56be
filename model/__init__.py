"""The scene as plain data: constants, the teapot mesh, colours, camera projection, and the
state a latent row puts the scene in. No bpy here; the `scene` package mirrors it into Blender."""
