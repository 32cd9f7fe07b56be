"""Block types and the role each column plays in a pair (reference 3dident.md section 3).

content: view 2 equals view 1. style: view 2 is redrawn around view 1 (per dimension, with a
change probability). view-specific: m1 exists in view 1 only, m2 is always 0, m3 exists in
view 2 only, independent of view 1.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ..limits import Choice
from .factors import BLOCKS, FACTORS

CONTENT = "content"
STYLE = "style"
VIEW_SPECIFIC = "view_specific"
BLOCK_TYPES = (CONTENT, STYLE, VIEW_SPECIFIC)
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
ROLE_CONSTANT = "constant"
VIEW1_LIVE_ROLES = (ROLE_CONTENT, ROLE_STYLE, ROLE_M1)


def column_roles(block_types: Mapping[str, str],
                 view_roles: Mapping[str, Sequence[str]]) -> tuple[str, ...]:
    """Role of every column, given each block's type and, for view-specific blocks, which
    factor names play m1, m2, m3."""
    roles = [ROLE_CONSTANT] * len(FACTORS)
    for block, columns in BLOCKS.items():
        kind = block_types[block]
        if kind == VIEW_SPECIFIC:
            by_name = {FACTORS[c].name: c for c in columns}
            for role, name in zip((ROLE_M1, ROLE_M2, ROLE_M3), view_roles[block], strict=True):
                roles[by_name[name]] = role
        else:
            for c in columns:
                roles[c] = ROLE_CONTENT if kind == CONTENT else ROLE_STYLE
    return tuple(roles)
