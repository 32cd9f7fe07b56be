"""Figures with matplotlib (the field's standard): every factor's view 1 against the other
views, and a report's R² per factor grouped by block type. PNG, PDF or SVG by the file name.
matplotlib is imported only here, inside the functions; where it is missing (Blender's own
Python) ImportError says which extra brings it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ..errors import SettingsError
from .metrics import needs

FORMATS = (".png", ".pdf", ".svg")
# The block types' colours, as the contact sheet draws them (dataset/sheets/sheets.py).
ROLE_COLOURS = {"content": (46, 160, 67), "style": (230, 126, 34), "m1": (52, 101, 164),
                "m3": (52, 101, 164), "view_specific": (52, 101, 164),
                "shared": (46, 160, 67), "modality_specific": (52, 101, 164)}
OTHER = (150, 150, 150)
FLOOR = -0.5  # R² below this (worse than guessing the mean) is drawn at it


def check_format(out: Path | str, setting: str = "out") -> Path:
    """`out`, or SettingsError when its name does not end in .png, .pdf or .svg."""
    path = Path(out)
    if path.suffix.lower() not in FORMATS:
        raise SettingsError(setting, str(out), "a file name ending in " + ", ".join(FORMATS))
    return path


def _pyplot() -> Any:
    """matplotlib's pyplot on the Agg backend (no window: files only)."""
    matplotlib = needs("matplotlib")
    matplotlib.use("Agg")
    return needs("matplotlib.pyplot")


def colour(role: str | None) -> tuple[float, float, float]:
    """A block type's (or column role's) colour, as matplotlib takes it."""
    red, green, blue = ROLE_COLOURS.get(role or "", OTHER)
    return red / 255, green / 255, blue / 255


def plot_latents(root: Path | str, out: Path | str, points: int = 2000) -> Path:
    """Per factor: view-1 (x) against view-2 raw values, with a histogram of view 1 under it,
    coloured by block type; with k > 2 views, view 1 against each further view."""
    from ..dataset.files.manifest import drawn_manifest, is_sequence, raw_latents_by_view

    out = check_format(out)
    root = Path(root)
    manifest = drawn_manifest(root, sequences=True)
    if is_sequence(manifest):
        return plot_sequence(root, manifest, out)
    columns = manifest["columns"]
    raw = {view: np.asarray(values) for view, values in raw_latents_by_view(root, manifest).items()}
    pyplot = _pyplot()
    chosen = np.random.default_rng(0).choice(len(raw[1]), size=min(points, len(raw[1])),
                                             replace=False)
    others = list(raw)[1:]
    panels = [(k, view) for k in range(len(columns)) for view in others]
    per_row = 5 if len(others) == 1 else len(others)
    rows = (len(panels) + per_row - 1) // per_row
    figure, axes = pyplot.subplots(2 * rows, per_row, figsize=(2.4 * per_row, 3.2 * rows),
                                   gridspec_kw={"height_ratios": [3, 1] * rows}, squeeze=False)
    for axis in axes.flat:
        axis.set_visible(False)
    for p, (k, view) in enumerate(panels):
        column, row, place = columns[k], 2 * (p // per_row), p % per_row
        tint = colour(column.get("role"))
        scatter, histogram = axes[row, place], axes[row + 1, place]
        scatter.set_visible(True)
        histogram.set_visible(True)
        scatter.plot([-1, 1], [-1, 1], color="0.85", linewidth=0.8, zorder=0)
        scatter.scatter(raw[1][chosen, k], raw[view][chosen, k], s=3, color=tint,
                        linewidths=0)
        scatter.set_title(f"{column['name']} ({column.get('role')})", fontsize=8)
        scatter.set_xlabel("view 1", fontsize=7)
        scatter.set_ylabel(f"view {view}", fontsize=7)
        histogram.hist(raw[1][:, k], bins=40, color=tint)
        histogram.set_yticks([])
        for axis in (scatter, histogram):
            axis.tick_params(labelsize=6)
    figure.tight_layout()
    figure.savefig(out, dpi=120)
    pyplot.close(figure)
    return out


SEQUENCE_FRAMES = 300  # frames a sequence plot shows: enough to see the steps and targets
TARGET = (0.78, 0.12, 0.12)  # an intervention, as the contact sheet marks it


def plot_sequence(root: Path, manifest: dict[str, Any], out: Path) -> Path:
    """A sequence's variables over its first frames, one panel each; a frame where the
    variable was a target of an intervention is a red dot (a constant variable is left out,
    an angle's line breaks where it wraps)."""
    from ..dataset.writing.sequence_writer import INTERVENTIONS, LATENTS

    values = np.load(root / LATENTS, mmap_mode="r")
    targets = np.load(root / INTERVENTIONS, mmap_mode="r")
    shown = min(SEQUENCE_FRAMES, int(manifest["frames_per_episode"]))
    names = manifest["columns"]
    kinds = {v["name"]: v.get("kind") for v in manifest["model"]["variables"]}
    kept = [k for k in range(len(names)) if np.ptp(values[:shown, k]) > 0]
    pyplot = _pyplot()
    figure, axes = pyplot.subplots(len(kept), 1, figsize=(9, 1.1 * len(kept) + 0.6),
                                   sharex=True, squeeze=False)
    frames = np.arange(shown)
    for axis, k in zip(axes[:, 0], kept, strict=True):
        series = np.asarray(values[:shown, k])
        hit = np.asarray(targets[:shown, k]) == 1
        xs, ys = frames.astype(float), series.astype(float)
        if kinds.get(names[k]) == "angle":  # no line across the wrap from 2 pi to 0
            wraps = np.flatnonzero(np.abs(np.diff(series)) > np.pi) + 1
            xs, ys = np.insert(xs, wraps, np.nan), np.insert(ys, wraps, np.nan)
        axis.plot(xs, ys, color="0.3", linewidth=0.8)
        axis.scatter(frames[hit], series[hit], s=9, color=TARGET, zorder=3, linewidths=0)
        axis.set_ylabel(names[k], fontsize=7, rotation=0, ha="right", va="center")
        axis.tick_params(labelsize=6)
    axes[-1, 0].set_xlabel(f"frame (the first {shown} of episode 0; red: a target of an "
                           "intervention)", fontsize=7)
    figure.tight_layout()
    figure.savefig(out, dpi=120)
    pyplot.close(figure)
    return out


def plot_scores(report: Any, out: Path | str) -> Path:
    """A report's held-out R² per factor (kernel ridge as bars with their bootstrap intervals,
    linear as dots; a categorical factor's accuracy), the factors grouped by block type, each
    type in its colour (a sequence's: by causal group)."""
    out = check_format(out, "plot")
    pyplot = _pyplot()
    order = {"content": 0, "shared": 0, "style": 1, "view_specific": 2, "modality_specific": 2}
    scores = sorted(report.factors, key=lambda s: order.get(s.block_type, 3))
    pairs = report.unit == "pairs"
    groups = list(dict.fromkeys(s.block for s in scores))
    palette = pyplot.get_cmap("tab10")

    def key(score: Any) -> str:
        return str(score.block_type if pairs else score.block)

    def fill(name: str) -> Any:
        return colour(name) if pairs else palette(groups.index(name) % 10)
    nonlinear = [s.r2_nonlinear if s.kind == "continuous" else s.accuracy_nonlinear
                 for s in scores]
    linear = [s.r2_linear if s.kind == "continuous" else s.accuracy_linear for s in scores]
    places = np.arange(len(scores))

    def shown(values: list[float | None]) -> np.ndarray:  # below FLOOR: drawn at FLOOR
        return np.clip([np.nan if v is None else v for v in values], FLOOR, 1.0)

    figure, axis = pyplot.subplots(figsize=(max(4.0, 0.6 * len(scores) + 1.5), 3.6))
    heights = shown(nonlinear)
    axis.bar(places, heights, color=[fill(key(s)) for s in scores])
    whiskers = np.array([[np.nan, np.nan] if s.interval is None else s.interval for s in scores])
    if np.isfinite(whiskers).any():  # the 95% bootstrap interval of each bar
        low, high = np.clip(whiskers[:, 0], FLOOR, 1.0), np.clip(whiskers[:, 1], FLOOR, 1.0)
        axis.errorbar(places, heights, yerr=[np.maximum(heights - low, 0),
                                             np.maximum(high - heights, 0)],
                      fmt="none", ecolor="0.2", elinewidth=0.8, capsize=2, zorder=4)
    axis.scatter(places, shown(linear), color="black", s=12, zorder=3)
    circular = shown([s.r2_circular_nonlinear for s in scores])
    if np.isfinite(circular).any():  # hues and angles: their (cos, sin)'s kernel ridge R²
        axis.scatter(places, circular, marker="D", facecolor="white", edgecolor="black", s=18,
                     zorder=5, label="circular R²")
    axis.set_xticks(places, [s.name + (" (acc)" if s.kind == "categorical" else "")
                             for s in scores], rotation=45, ha="right", fontsize=7)
    axis.set_ylim(FLOOR - 0.02, 1.05)
    axis.axhline(0, color="0.6", linewidth=0.8)
    axis.set_ylabel("held-out R²")
    axis.set_title((f"view {report.view}, " if pairs else "") + f"{report.test} held-out "
                   f"{report.unit}: bars kernel ridge (95% interval), dots linear, "
                   "diamonds circular",
                   fontsize=8)
    for kind in dict.fromkeys(map(key, scores)):  # a legend entry per block type or group
        axis.bar([0], [0], color=fill(kind), label=kind.replace("_", "-") if pairs else kind)
    axis.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    figure.tight_layout()
    figure.savefig(out, dpi=120)
    pyplot.close(figure)
    return out
