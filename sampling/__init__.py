"""Pure-numpy latent sampling: factors, blocks, distributions, causal graphs. No bpy here."""

from .blocks import BLOCK_TYPES, CONTENT, STYLE, VIEW_SPECIFIC, column_roles
from .distributions import Conditional, Marginal, truncated_normal, truncated_uniform
from .factors import BLOCKS, FACTOR_NAMES, FACTORS, N_COLUMNS, factor_index, to_blender
from .sampler import LatentPairs, LatentViews, sample_latents

__all__ = [
    "BLOCKS",
    "BLOCK_TYPES",
    "CONTENT",
    "FACTORS",
    "FACTOR_NAMES",
    "N_COLUMNS",
    "STYLE",
    "VIEW_SPECIFIC",
    "Conditional",
    "LatentPairs",
    "LatentViews",
    "Marginal",
    "column_roles",
    "factor_index",
    "sample_latents",
    "to_blender",
    "truncated_normal",
    "truncated_uniform",
]
