"""One report for a study: render each preset at a chosen size, train the baseline on it, score
its codes with the data's ceiling beside them, and write one Markdown report with a figure.
Every step is kept on disk (the dataset folder, then results/PRESET.json), so a study that
stops resumes where it stopped: a complete dataset is not drawn again, a scored one not
trained again."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import SettingsError
from .options import CEILING_EPOCHS, EPOCHS, SEED

# The six Part-1 datasets (3DIdentBox's): content, style and view-specific blocks permuted.
PART1 = ("hues_positions_rotations", "hues_rotations_positions", "positions_hues_rotations",
         "positions_rotations_hues", "rotations_hues_positions", "rotations_positions_hues")
BLOCK_ORDER = ("content", "shared", "style", "view_specific", "modality_specific")
RESULTS = "results"
DATASETS = "datasets"


@dataclass(frozen=True)
class StudySettings:
    """What a study draws and trains: presets, their size, and the baseline's length."""

    presets: tuple[str, ...] = PART1
    n_pairs: int = 10_000
    resolution: int = 32
    samples: int = 8
    epochs: int = EPOCHS.default
    ceiling_epochs: int = CEILING_EPOCHS.default
    protocol: str = "identbox"
    seed: int = 0
    workers: str = "1"

    def __post_init__(self) -> None:
        from ..presets import load_preset
        from .options import options_for

        if not self.presets:
            raise SettingsError("presets", [], "one preset or more")
        for preset in self.presets:
            load_preset(preset)  # an unknown one: one line, before anything is drawn
        if len(set(self.presets)) != len(self.presets):
            raise SettingsError("presets", list(self.presets), "each preset once")
        EPOCHS.check(self.epochs)
        CEILING_EPOCHS.check(self.ceiling_epochs)
        SEED.check(self.seed)
        options_for(self.protocol)
        from .baseline import check_enough_pairs

        check_enough_pairs(Path("study"), self.n_pairs, 0.2)


def render_arguments(settings: StudySettings, preset: str, folder: Path) -> list[str]:
    """The `render` command line that draws (or finishes drawing) one preset's dataset."""
    return ["render", "--preset", preset, "--n-pairs", str(settings.n_pairs),
            "--resolution", str(settings.resolution), "--samples", str(settings.samples),
            "--seed", str(settings.seed), "--workers", settings.workers, "--out", str(folder)]


def run_study(settings: StudySettings, out: Path | str, render: Callable[[list[str]], int],
              log: Callable[[str], None] = print) -> Path:
    """Render (with `render`, the command line's: it takes render_arguments and returns the
    exit status), train and score every preset (those done before are skipped), then write
    out/report.md and out/report.png; the report's path."""
    from ..dataset.writing.writer import atomic_write_bytes
    from .baseline import train_baseline
    from .options import options_for

    out = Path(out)
    (out / RESULTS).mkdir(parents=True, exist_ok=True)
    for number, preset in enumerate(settings.presets, 1):
        result = out / RESULTS / f"{preset}.json"
        if result.exists():
            log(f"study: {preset} ({number}/{len(settings.presets)}): scored before")
            continue
        log(f"study: {preset} ({number}/{len(settings.presets)}): render")
        started = time.perf_counter()
        status = render(render_arguments(settings, preset, out / DATASETS / preset))
        if status:
            raise RuntimeError(f"study: rendering {preset} failed (exit {status})")
        rendered = time.perf_counter() - started
        log(f"study: {preset}: train the baseline and measure the ceiling")
        started = time.perf_counter()
        trained = train_baseline(out / DATASETS / preset,
                                 options_for(settings.protocol, epochs=settings.epochs,
                                             seed=settings.seed),
                                 log, ceiling_epochs=settings.ceiling_epochs)
        entry = {"preset": preset, "render_seconds": rendered,
                 "baseline_seconds": time.perf_counter() - started,
                 "report": trained.report.to_dict()}
        atomic_write_bytes(result, json.dumps(entry, indent=1).encode())
    results = [json.loads((out / RESULTS / f"{p}.json").read_text())
               for p in settings.presets]
    report = out / "report.md"
    atomic_write_bytes(report, markdown(settings, results).encode())
    figure(results, out / "report.png")
    return report


def _groups(entry: dict[str, Any]) -> dict[str, tuple[float, float | None]]:
    """Per block type: the mean kernel-ridge score of its factors and of their ceilings."""
    report = entry["report"]
    found: dict[str, tuple[float, float | None]] = {}
    for kind in BLOCK_ORDER:
        mine = [f for f in report["factors"] if f["block_type"] == kind]
        if not mine:
            continue
        scores = [f["r2_nonlinear"] if f["r2_nonlinear"] is not None else f["accuracy_nonlinear"]
                  for f in mine]
        ceilings = [report["ceiling"][f["name"]] for f in mine if f["name"] in report["ceiling"]]
        found[kind] = (float(np.nanmean([s for s in scores if s is not None])),
                       float(np.mean(ceilings)) if ceilings else None)
    return found


def _cell(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def markdown(settings: StudySettings, results: Sequence[dict[str, Any]]) -> str:
    """The study as Markdown: the mean per block type of every dataset with its ceiling, then
    every factor's scores."""
    kinds = [k for k in BLOCK_ORDER if any(k in _groups(r) for r in results)]
    seconds = sum(r["render_seconds"] + r["baseline_seconds"] for r in results)
    lines = [
        "# IdentBox study", "",
        f"{settings.n_pairs} pairs per dataset at {settings.resolution} px "
        f"({settings.samples} samples), seed {settings.seed}; the `{settings.protocol}` "
        f"baseline, {settings.epochs} epochs; the ceiling a supervised probe of "
        f"{settings.ceiling_epochs} epochs. Rendering, training and scoring took "
        f"{seconds / 60:.0f} min.", "",
        "Mean held-out R² (kernel ridge; accuracy for a categorical factor) per block type, "
        "the ceiling after the slash:", "",
        "| dataset | " + " | ".join(k.replace("_", "-") for k in kinds) + " | minutes |",
        "|---|" + "---|" * (len(kinds) + 1)]
    for entry in results:
        groups = _groups(entry)
        cells = [f"{_cell(groups[k][0])} / {_cell(groups[k][1])}" if k in groups else ""
                 for k in kinds]
        minutes = (entry["render_seconds"] + entry["baseline_seconds"]) / 60
        lines.append(f"| {entry['preset']} | " + " | ".join(cells) + f" | {minutes:.1f} |")
    lines += ["", "Every factor (R² kernel ridge with its 95% bootstrap interval; a hue's or "
              "angle's circular R²; the ceiling):", "",
              "| dataset | factor | block type | R² linear | R² kernel ridge | circular R² | "
              "ceiling |", "|---|---|---|---|---|---|---|"]
    for entry in results:
        report = entry["report"]
        for f in sorted(report["factors"], key=lambda f: BLOCK_ORDER.index(f["block_type"])
                        if f["block_type"] in BLOCK_ORDER else len(BLOCK_ORDER)):
            main = f["r2_nonlinear"] if f["kind"] == "continuous" else f["accuracy_nonlinear"]
            interval = f.get("interval")
            shown = _cell(main) + (f" [{interval[0]:.2f}, {interval[1]:.2f}]" if interval
                                   else "")
            lines.append(f"| {entry['preset']} | {f['name']} | {f['block_type']} | "
                         f"{_cell(f['r2_linear'])} | {shown} | "
                         f"{_cell(f.get('r2_circular_nonlinear'))} | "
                         f"{_cell(report['ceiling'].get(f['name']))} |")
    return "\n".join(lines) + "\n"


def figure(results: Sequence[dict[str, Any]], path: Path) -> None:
    """Per dataset, a bar per block type (its mean score) with its ceiling as a black tick."""
    from .plots import _pyplot, colour

    pyplot = _pyplot()
    kinds = [k for k in BLOCK_ORDER if any(k in _groups(r) for r in results)]
    width = 0.8 / max(len(kinds), 1)
    axis_figure, axis = pyplot.subplots(figsize=(max(5.0, 1.4 * len(results) + 2), 3.6))
    for k, kind in enumerate(kinds):
        places = np.arange(len(results)) + (k - (len(kinds) - 1) / 2) * width
        groups = [_groups(r).get(kind, (np.nan, None)) for r in results]
        axis.bar(places, [max(g[0], -0.5) for g in groups], width, color=colour(kind),
                 label=kind.replace("_", "-"))
        ceilings = [np.nan if g[1] is None else g[1] for g in groups]
        axis.scatter(places, ceilings, marker="_", s=200, color="black", zorder=3,
                     label="ceiling" if k == 0 else None)
    axis.set_xticks(np.arange(len(results)), [r["preset"].replace("_", "\n") for r in results],
                    fontsize=7)
    axis.set_ylim(-0.52, 1.05)
    axis.axhline(0, color="0.6", linewidth=0.8)
    axis.set_ylabel("mean held-out R²")
    axis.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    axis_figure.tight_layout()
    axis_figure.savefig(path, dpi=120)
    pyplot.close(axis_figure)
