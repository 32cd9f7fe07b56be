"""Image helpers for the tests: the package's own (identbox.dataset.images)."""

from identbox.dataset.images import dominant_hue, hue_distance, load_rgba, srgb_to_linear

__all__ = ["dominant_hue", "hue_distance", "load_rgba", "srgb_to_linear"]
