"""Rendering on a cluster: SLURM job arrays over the deterministic shards. No bpy here."""
