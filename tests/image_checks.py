"""Image helpers for the tests: the package's own (identbox.dataset.checking.images)."""

from identbox.dataset.checking.images import dominant_hue, hue_distance, load_rgba, srgb_to_linear

__all__ = ["dominant_hue", "hue_distance", "load_rgba", "srgb_to_linear"]
