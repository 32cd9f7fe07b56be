"""The sentence a text view gives one sample, for the panel's Preview: what the dataset's
sentences.txt will hold on that line. A view's sentences are drawn for all samples at once (the
palette and phrasing streams run over every sample), so they are made once per distinct
settings and view, then looked up as the panel redraws."""

from __future__ import annotations

import json
from typing import Any

from ...settings.objects import sample_pairs
from ...settings.views import views_of
from ..writing.writer import text_of

_made: dict[str, list[str]] = {}  # the last settings and view asked: their sentences


def preview_sentence(settings: Any, index: int, view: int) -> str | None:
    """Sample `index`'s sentence in view `view` (from 1); None when that view is an image."""
    if not views_of(settings)[view - 1].is_text:
        return None
    key = json.dumps([settings.to_dict(), view], sort_keys=True)
    if key not in _made:
        _made.clear()
        _made[key] = text_of(settings, sample_pairs(settings).latents(view), view).lines
    lines = _made[key]
    return lines[min(max(index, 0), len(lines) - 1)]
