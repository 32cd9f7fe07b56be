"""The IdentBox version; blender_manifest.toml must carry the same string (a test checks)."""

__version__ = "0.1.0"
