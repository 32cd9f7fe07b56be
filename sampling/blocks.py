"""Block types and the role each column plays in a pair (reference 3dident.md section 3).

content: view 2 equals view 1. style: view 2 is redrawn around view 1 (per dimension, with a
change probability). view-specific: m1 exists in view 1 only, m2 is always 0, m3 exists in
view 2 only, independent of view 1.

With k > 2 views (VIEWS_RULE): content is equal in every view, style redraws each later view
around view 1 on its own, and a view-specific block draws every column anew in every view
(role "view_specific"): m1/m2/m3 describe two views only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..limits import Choice
from .factors import BLOCKS, FACTORS

CONTENT = "content"
STYLE = "style"
VIEW_SPECIFIC = "view_specific"
BLOCK_TYPES = (CONTENT, STYLE, VIEW_SPECIFIC)
# A column's role where the views are modalities of one scene (Multimodal3DIdent): shown by
# both (the paper's content) or by one alone (the rotations, spotlight and ground in the image;
# the phrasing in the text).
SHARED = "shared"
MODALITY_SPECIFIC = "modality_specific"
BLOCK_TYPE = Choice("type", "Block Type",
                    "content: equal in both views; style: redrawn around view 1 in view 2; "
                    "view_specific: m1 in view 1 only, m2 always 0, m3 in view 2 only",
                    BLOCK_TYPES)

# Column roles. A column is "live in view 1" when its view-1 value is drawn (not a fixed 0).
ROLE_CONTENT = "content"
ROLE_STYLE = "style"
ROLE_M1 = "m1"
ROLE_M2 = "m2"
ROLE_M3 = "m3"
ROLE_VIEW_SPECIFIC = "view_specific"  # k > 2 views: drawn anew in every view
ROLE_CONSTANT = "constant"
VIEW1_LIVE_ROLES = (ROLE_CONTENT, ROLE_STYLE, ROLE_M1, ROLE_VIEW_SPECIFIC)

VIEWS_RULE = ("content: equal in every view; style: each view after the first is redrawn around "
              "view 1, independently for each view, each dimension with the block's change "
              "probability; view_specific: each view's value is drawn independently; causal "
              "edges act within a view (a value drawn in a view is drawn around its parents' "
              "values in that view)")


def views_record(n_views: int, views: Sequence[object] = ()) -> dict[str, object]:
    """The manifest's record of how k views relate (written when k is not 2 or views are
    listed): the rule, and each view's folder, name, modality and settings."""
    listed = [{"folder": f"m{k}", **view.to_dict()}  # type: ignore[attr-defined]
              for k, view in enumerate(views, start=1)]
    return {"n_views": n_views, "rule": VIEWS_RULE, **({"list": listed} if listed else {})}


def column_roles(block_types: Mapping[str, str], view_roles: Mapping[str, Sequence[str]],
                 n_views: int = 2) -> tuple[str, ...]:
    """Role of every column, given each block's type and, for view-specific blocks in two
    views, which factor names play m1, m2, m3."""
    roles = [ROLE_CONSTANT] * len(FACTORS)
    for block, columns in BLOCKS.items():
        kind = block_types[block]
        if kind == VIEW_SPECIFIC and n_views > 2:
            for c in columns:
                roles[c] = ROLE_VIEW_SPECIFIC
        elif kind == VIEW_SPECIFIC:
            by_name = {FACTORS[c].name: c for c in columns}
            for role, name in zip((ROLE_M1, ROLE_M2, ROLE_M3), view_roles[block], strict=True):
                roles[by_name[name]] = role
        else:
            for c in columns:
                roles[c] = ROLE_CONTENT if kind == CONTENT else ROLE_STYLE
    return tuple(roles)
