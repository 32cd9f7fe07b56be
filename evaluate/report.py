"""Score a representation of a dataset's views: which factors it holds, read from the dataset's
manifest (each column's block and that block's type), and a table per factor and per block
type. The held-out split is by pair index and seeded, so every run scores the same pairs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from ..dataset.files.layout import (
    WORDS_NPY,
    factors_dir,
    manifest_latent_files,
    manifest_views,
    view_numbers,
)
from ..dataset.files.manifest import (
    FORMAT,
    is_sequence,
    load_latent_file,
    read_any_manifest,
    read_manifest,
)
from ..errors import DatasetError, SettingsError
from ..sampling.blocks import BLOCK_TYPES, CONTENT, MODALITY_SPECIFIC, SHARED, VIEW_SPECIFIC
from . import metrics
from .options import SEED

# The block whose columns name a category (an object's type in multi-object and
# Multimodal3DIdent datasets); a text view's words add its phrasing (the template's index).
CATEGORICAL_BLOCKS = ("objects",)
PHRASING = "phrasing"
MIN_HELD_OUT = 5  # pairs to score on, fewest; a 3-fold grid search fits on twice as many
# The largest magnitude of a representation's values: DCI's trees read them as float32.
MAX_MAGNITUDE = float(np.finfo(np.float32).max)
# A column's role where its block has no type in the settings (Multimodal3DIdent's columns:
# shared by both modalities, or one's alone, the paper's split).
ROLE_TYPES = {"content": CONTENT, "style": "style", "m1": VIEW_SPECIFIC, "m3": VIEW_SPECIFIC,
              "view_specific": VIEW_SPECIFIC, SHARED: SHARED, MODALITY_SPECIFIC: MODALITY_SPECIFIC}


@dataclass(frozen=True)
class Factor:
    """One ground-truth factor to score: its values in the view (one column, or two: an
    angle's cos and sin), and what kind it is."""

    name: str
    block: str
    block_type: str
    values: np.ndarray
    categorical: bool = False
    # A full turn over the raw range (hues, angles): scored also as a point on the circle.
    turn: tuple[float, float] | None = None

    def at(self, rows: np.ndarray) -> Factor:
        """The factor at some rows."""
        return replace(self, values=self.values[rows])

    def on_circle(self) -> np.ndarray:
        """(cos, sin) of the value's angle on its turn: its range's two ends one point."""
        assert self.turn is not None
        low, high = self.turn
        angle = 2 * np.pi * (self.values - low) / (high - low)
        return np.column_stack([np.cos(angle), np.sin(angle)])


@dataclass
class FactorScore:
    """The scores of one factor: R² for a continuous one, accuracy for a categorical one."""

    name: str
    block: str
    block_type: str
    kind: str  # "continuous" or "categorical"
    r2_linear: float | None = None
    r2_nonlinear: float | None = None
    accuracy_linear: float | None = None
    accuracy_nonlinear: float | None = None
    # A hue or an angle: R² of its (cos, sin) (the mean of the two), where -1 and 1 meet.
    r2_circular_linear: float | None = None
    r2_circular_nonlinear: float | None = None
    # The 95% bootstrap interval of the nonlinear score (R² or accuracy) over the held-out rows.
    interval: tuple[float, float] | None = None


@dataclass
class Report:
    """Every factor's scores, their means per block type, MCC and DCI."""

    view: int
    pairs: int
    train: int
    test: int
    factors: list[FactorScore]
    skipped: list[str]  # factors constant in this view: nothing to predict
    mcc_pearson: float
    mcc_spearman: float
    dci: dict[str, Any]
    means: dict[str, dict[str, float]] = field(default_factory=dict)
    unit: str = "pairs"  # what a row is: a pair, a sequence's frame or independent frame
    # Per factor, a supervised probe's held-out score from the view's images (evaluate/
    # ceiling.py): what the pixels allow. Empty unless asked.
    ceiling: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for --json."""
        return asdict(self)


def block_types(manifest: dict[str, Any]) -> dict[str, str]:
    """Each block's type from the manifest's settings (content, style or view_specific)."""
    blocks = manifest["settings"].get("blocks")
    return {name: block["type"] for name, block in (blocks or {}).items()
            if isinstance(block, dict) and block.get("type") in BLOCK_TYPES}


def view_factors(root: Path, manifest: dict[str, Any], view: int) -> tuple[list[Factor],
                                                                           list[str]]:
    """The factors of `view` that vary (raw latents; a text view's phrasing too), and the
    names of those constant in it (rot_beta, a view-specific column that lives in the other
    view)."""
    types = block_types(manifest)
    raw = np.asarray(load_latent_file(root, f"m{view}/raw_latents.npy", manifest))
    found, skipped = [], []
    for k, column in enumerate(manifest["columns"]):
        block = column.get("block")
        kind = types.get(block) if block else None
        kind = kind or ROLE_TYPES.get(column.get("role", ""))
        if kind is None or np.ptp(raw[:, k]) == 0:
            skipped.append(column["name"])
            continue
        low, high = column.get("raw_range", (-1.0, 1.0))
        found.append(Factor(column["name"], block, kind, raw[:, k], block in CATEGORICAL_BLOCKS,
                            (float(low), float(high)) if column.get("circular") else None))
    if WORDS_NPY in manifest_latent_files(manifest)[f"m{view}"]:
        found += _phrasing(root, manifest, view)
    return found, skipped


def _phrasing(root: Path, manifest: dict[str, Any], view: int) -> list[Factor]:
    """A text view's phrasing (which template said it): a categorical, view-specific factor."""
    listed = (manifest.get("views") or {}).get("list") or []
    columns = listed[view - 1].get("word_columns") or [] if len(listed) >= view else []
    if PHRASING not in columns:
        return []
    words = np.load(factors_dir(root, f"m{view}") / WORDS_NPY, allow_pickle=False)
    values = words[:, columns.index(PHRASING)]
    # Where the views are modalities (columns marked shared), the phrasing is the text's own.
    by_modality = any(c.get("role") == SHARED for c in manifest["columns"])
    kind = MODALITY_SPECIFIC if by_modality else VIEW_SPECIFIC
    return [Factor(PHRASING, "text", kind, values, True)] if np.ptp(values) else []


def _factor_score(factor: Factor, x_train: np.ndarray, x_test: np.ndarray, train: np.ndarray,
                  test: np.ndarray, seed: int, classifier: str = "svc") -> FactorScore:
    y_train, y_test = factor.values[train], factor.values[test]
    score = FactorScore(factor.name, factor.block, factor.block_type,
                        "categorical" if factor.categorical else "continuous")
    if factor.categorical:
        if len(np.unique(y_train)) > 1:  # one category seen: nothing to tell apart
            score.accuracy_linear = metrics.accuracy_linear(x_train, y_train, x_test, y_test)
            classes = metrics.classify_nonlinear(x_train, y_train, x_test, seed, classifier)
            score.accuracy_nonlinear = metrics.accuracy(y_test, classes)
            score.interval = metrics.bootstrap_interval(y_test, classes, metrics.accuracy, seed)
        return score
    score.r2_linear = metrics.r2_linear(x_train, y_train, x_test, y_test)
    predicted = metrics.predict_nonlinear(x_train, y_train, x_test, seed)
    score.r2_nonlinear = metrics.r2(y_test, predicted)
    score.interval = metrics.bootstrap_interval(y_test, predicted, metrics.r2, seed)
    if factor.turn is not None:
        circle = factor.on_circle()
        score.r2_circular_linear = metrics.r2_linear(x_train, circle[train], x_test,
                                                     circle[test])
        score.r2_circular_nonlinear = metrics.r2_nonlinear(x_train, circle[train], x_test,
                                                           circle[test], seed)
    return score


def _means(scores: list[FactorScore]) -> dict[str, dict[str, float]]:
    """Per block type, the mean of each score its factors have."""
    means: dict[str, dict[str, float]] = {}
    for kind in dict.fromkeys(s.block_type for s in scores):
        mine = [s for s in scores if s.block_type == kind]
        for name in ("r2_linear", "r2_nonlinear", "accuracy_linear", "accuracy_nonlinear",
                     "r2_circular_linear", "r2_circular_nonlinear"):
            values = [getattr(s, name) for s in mine if getattr(s, name) is not None]
            if values:
                means.setdefault(kind, {})[name] = float(np.mean(values))
    return means


def representation_rows(representations: Any, pairs: int, view: int, n_views: int,
                        name: str = "representations", unit: str = "pairs") -> np.ndarray:
    """The (pairs, d) float array of one view: an (N, d) array, or (k, N, d) with one slice
    per view; SettingsError in one line when its shape does not fit the dataset."""
    array = np.asarray(representations)
    if array.ndim == 3 and array.shape[0] == n_views:
        array = array[view - 1]
    if array.ndim != 2 or array.shape[0] != pairs or array.shape[1] < 1:
        per_view = (f", or ({n_views}, {pairs}, d) with one slice per view" if n_views > 1
                    else "")
        raise SettingsError(name, f"an array of shape {tuple(array.shape)}",
                            f"one row per {unit.split()[-1].rstrip('s')}: ({pairs}, d)"
                            + per_view)
    if not (np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating)):
        raise SettingsError(name, f"a {array.dtype} array", "real numbers (integers or floats)")
    values = array.astype(np.float64)
    if not np.isfinite(values).all():
        raise SettingsError(name, f"a {array.dtype} array", "finite numbers")
    largest = float(np.abs(values).max())
    if largest > MAX_MAGNITUDE:
        raise SettingsError(name, f"values up to {largest:.3g}", f"values of magnitude at most "
                            f"{MAX_MAGNITUDE:.3g}, as float32 holds them (scale them down)")
    return values


def pair_rows(rows: Any, count: int, unit: str = "pairs") -> np.ndarray:
    """The pair (or frame) indices a representation's rows are of: distinct integers in
    [0, count); SettingsError in one line otherwise."""
    array = np.asarray(rows)
    item = unit.split()[-1].rstrip("s")
    if array.ndim != 1 or not len(array) or not np.issubdtype(array.dtype, np.integer):
        raise SettingsError("rows", f"an array of shape {tuple(array.shape)} and type "
                            f"{array.dtype}", f"a list of {item} indices (integers)")
    if array.min() < 0 or array.max() >= count:
        raise SettingsError("rows", f"indices {int(array.min())} to {int(array.max())}",
                            f"{item} indices from 0 to {count - 1}")
    if len(np.unique(array)) != len(array):
        raise SettingsError("rows", "an index listed twice", f"distinct {item} indices")
    return array.astype(np.int64)


def scorable(n: int, test_fraction: float = 0.2) -> bool:
    """Whether n rows split into enough to fit on and to score on."""
    test = metrics.held_out_count(n, test_fraction)
    return test >= MIN_HELD_OUT and n - test >= 2 * MIN_HELD_OUT


def _factors(root: Path, view: int, part: str) -> tuple[list[Factor], list[str], int, str]:
    """The factors to score, those constant, the dataset's number of views and what a row is:
    a pair dataset's view, or a sequence's frames or independent frames (one view)."""
    manifest = read_any_manifest(root / "manifest.json")
    if is_sequence(manifest):
        from .sequence_factors import sequence_factors

        if view != 1:
            raise SettingsError("view", view, "1: a sequence has one view")
        factors, skipped = sequence_factors(root, manifest, part)
        return factors, skipped, 1, "frames" if part == "frames" else "independent frames"
    if part != "frames":
        raise SettingsError("part", part, "frames: only a sequence has independent frames")
    if manifest.get("format") != FORMAT:  # a cube's: read as a pair dataset's, says what it is
        manifest = read_manifest(root / "manifest.json")
    n_views = manifest_views(manifest)
    if view not in view_numbers(n_views):
        raise SettingsError("view", view, f"a view of the dataset, 1 to {n_views}")
    return (*view_factors(root, manifest, view), n_views, "pairs")


def evaluate(root: Path | str, representations: Any, view: int = 1,
             rows: np.ndarray | None = None, test_fraction: float = 0.2,
             seed: int = 0, part: str = "frames",
             fit_on: tuple[np.ndarray, np.ndarray] | None = None, ceiling_epochs: int = 0,
             log: Callable[[str], None] = print, classifier: str = "svc") -> Report:
    """Score `representations` of `view` (from 1) of the dataset in `root`: one row per pair,
    or per pair of `rows` (pair indices, e.g. the held-out pairs a model never saw). For a
    sequence, one row per frame of `part`: "frames" or "independent". The readouts fit on a
    seeded `test_fraction` of the rows and score the rest; with `fit_on` (codes and their pair
    indices: e.g. a model's training pairs) they fit on those and score every row given. With
    `ceiling_epochs`, a supervised probe learns the factors from the view's images of the same
    rows for that many epochs: the report's ceiling."""
    root = Path(root)
    SEED.check(seed)
    factors, skipped, n_views, unit = _factors(root, view, part)
    if not factors:
        raise DatasetError(f"{root}: no factor varies in view {view}: nothing to score")
    count = len(factors[0].values)
    chosen = np.arange(count) if rows is None else pair_rows(rows, count, unit)
    x = representation_rows(representations, len(chosen), view, n_views, unit=unit)
    if fit_on is not None:
        fit_rows = pair_rows(fit_on[1], count, unit)
        fit_x = representation_rows(fit_on[0], len(fit_rows), view, n_views, "fit_on", unit)
        chosen, x = np.concatenate([fit_rows, chosen]), np.concatenate([fit_x, x])
        pair_rows(chosen, count, unit)  # the rows fitted on are not among those scored
    factors = [f.at(chosen) for f in factors]
    if fit_on is not None:
        train = np.arange(len(fit_rows))
        test = np.arange(len(fit_rows), len(chosen))
        if min(len(train), len(test)) < MIN_HELD_OUT:
            raise DatasetError(f"{root}: {len(train)} {unit} to fit on and {len(test)} to "
                               f"score: at least {MIN_HELD_OUT} of each")
    elif not scorable(len(chosen), test_fraction):
        raise DatasetError(f"{root}: {len(chosen)} {unit} are too few to fit on some and score "
                           f"on the others: {MIN_HELD_OUT} held out and twice that to fit, "
                           f"at least")
    else:
        train, test = metrics.split_rows(len(chosen), test_fraction, seed)
    if classifier not in metrics.CLASSIFIERS:
        raise SettingsError("classifier", classifier, "one of " + ", ".join(metrics.CLASSIFIERS))
    scores = [_factor_score(f, x[train], x[test], train, test, seed, classifier)
              for f in factors]
    truth = np.column_stack([f.values for f in factors])  # an angle gives two columns
    kinds = tuple(f.categorical for f in factors
                  for _ in range(f.values.shape[1] if f.values.ndim == 2 else 1))
    ceiling = {}
    if ceiling_epochs:
        if unit != "pairs":
            raise SettingsError("ceiling", unit, "a pair dataset's view (a sequence's frames "
                                "have no probe yet)")
        from .ceiling import ceiling_scores

        ceiling = ceiling_scores(root, view, factors, chosen, train, test, ceiling_epochs,
                                 seed, log)
    return Report(view=view, pairs=len(chosen), train=len(train), test=len(test),
                  factors=scores, skipped=skipped, ceiling=ceiling,
                  mcc_pearson=metrics.mcc(truth[test], x[test], "pearson"),
                  mcc_spearman=metrics.mcc(truth[test], x[test], "spearman"),
                  dci=metrics.dci(x[train], truth[train], x[test], truth[test], kinds, seed),
                  means=_means(scores), unit=unit)


def _number(value: float | None, prefix: str = "") -> str:
    return "-" if value is None else f"{prefix}{value:.3f}"


def _interval(interval: tuple[float, float] | list[float] | None) -> str:
    """ [low, high] of a score's bootstrap interval (nothing without one)."""
    return "" if interval is None else f" [{interval[0]:.2f}, {interval[1]:.2f}]"


def _circular(linear: float | None, nonlinear: float | None) -> str:
    """A hue's or angle's circular R², linear / nonlinear (blank for other factors)."""
    return "" if nonlinear is None else f"{_number(linear)} / {_number(nonlinear)}"


def table(report: Report) -> str:
    """The report as text: one line per factor, then the mean per block type, MCC and DCI."""
    header = ("factor", "block", "block type", "R² linear", "R² nonlinear / accuracy",
              "circular R² lin / nonlin") + (("ceiling",) if report.ceiling else ())

    def ceiling(names: list[str]) -> tuple[str, ...]:  # the mean of the factors' ceilings
        values = [report.ceiling[n] for n in names if n in report.ceiling]
        return (_number(float(np.mean(values)) if values else None),) if report.ceiling else ()

    lines = [header] + [
        (s.name, s.block, s.block_type,
         _number(s.r2_linear) if s.kind == "continuous" else _number(s.accuracy_linear, "acc "),
         (_number(s.r2_nonlinear) if s.kind == "continuous"
          else _number(s.accuracy_nonlinear, "acc ")) + _interval(s.interval),
         _circular(s.r2_circular_linear, s.r2_circular_nonlinear), *ceiling([s.name]))
        for s in report.factors]
    for kind, means in report.means.items():
        linear = means.get("r2_linear", means.get("accuracy_linear"))
        nonlinear = means.get("r2_nonlinear", means.get("accuracy_nonlinear"))
        lines.append((f"mean {kind}", "", "", _number(linear), _number(nonlinear),
                      _circular(means.get("r2_circular_linear"),
                                means.get("r2_circular_nonlinear")),
                      *ceiling([s.name for s in report.factors if s.block_type == kind])))
    kept = [k for k in range(len(header)) if k < 5 or any(line[k] for line in lines[1:])]
    lines = [tuple(line[k] for k in kept) for line in lines]  # no column of blanks alone
    widths = [max(len(line[k]) for line in lines) for k in range(len(kept))]
    text = ["  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
            for line in lines]
    text.insert(1, "  ".join("-" * w for w in widths))
    text.insert(len(report.factors) + 2, "")
    dci_ = report.dci
    if report.ceiling:
        text.append("ceiling: a supervised probe's held-out score from the view's images (a "
                    "hue's or an angle's on the circle, accuracy for a categorical factor)")
    if any(s.interval is not None for s in report.factors):
        text.append("[low, high]: the 95% bootstrap interval of the nonlinear score over the "
                    f"{report.test} held-out {report.unit.split()[-1]}")
    if any(s.r2_circular_nonlinear is not None for s in report.factors):
        text.append("R² scores the raw value; circular R² scores a hue's or an angle's "
                    "(cos, sin), where the two ends of its range are one value (a mean "
                    "circular R² is over its group's hues and angles alone)")
    text += [f"MCC pearson {report.mcc_pearson:.3f}, spearman {report.mcc_spearman:.3f}; DCI "
             f"disentanglement {dci_['disentanglement']:.3f}, completeness "
             f"{dci_['completeness']:.3f}, informativeness {dci_['informativeness']:.3f}",
             (f"view {report.view}: " if report.unit == "pairs" else "")
             + f"{report.pairs} {report.unit}, fitted on {report.train}, "
             f"scored on {report.test} held out" + (f"; constant here, not scored: "
                                          f"{', '.join(report.skipped)}" if report.skipped
                                          else "")]
    return "\n".join(text)
