"""The benchmark half: score a representation of a dataset against its ground-truth factors
(metrics.py on arrays, report.py on a dataset), plot the scores (plots.py, matplotlib) and train
the ICLR 2023 contrastive baseline (baseline.py, torch). Importable without bpy or torch."""

from .metrics import accuracy_linear, accuracy_nonlinear, dci, mcc, r2_linear, r2_nonlinear
from .report import Report, evaluate, table

__all__ = ["Report", "accuracy_linear", "accuracy_nonlinear", "dci", "evaluate", "mcc",
           "r2_linear", "r2_nonlinear", "table"]
