"""Running a job: the resumable, shardable render loop (no bpy), the cube's loop, runs in
this process or in a `blender -b` child, and estimates of a run's size and time."""
