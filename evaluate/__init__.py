"""The benchmark half: score a representation of a dataset against its ground-truth factors
(metrics.py on arrays, report.py on a dataset), plot the scores (plots.py, matplotlib) and train
the ICLR 2023 contrastive baseline (baseline.py, torch). Importable without bpy or torch.

The names below load on first use, so that the command line's parser, which reads the
baseline's options from here, starts without importing the dataset loader (and torch)."""

from __future__ import annotations

from typing import Any

_FROM = {"accuracy_linear": "metrics", "accuracy_nonlinear": "metrics", "dci": "metrics",
         "mcc": "metrics", "r2_linear": "metrics", "r2_nonlinear": "metrics",
         "Report": "report", "evaluate": "report", "table": "report"}
__all__ = sorted(_FROM)


def __getattr__(name: str) -> Any:
    """`identbox.evaluate.evaluate` and the metrics, imported when first asked for."""
    if name not in _FROM:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f".{_FROM[name]}", __name__), name)
