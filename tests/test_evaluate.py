"""Evaluate: metrics whose answers are known (an invertible function of the content columns,
a permuted rescaled copy of the factors, random noise, MCC by brute force, DCI by its formula
on fixed importances), `evaluate` and `baseline` on a rendered dataset (two image views and a
text view), the baseline's learning on a kind drawn without Blender, the plots opened as
images, and the progress lines of long work: a bar on a terminal, plain lines in a log."""

from __future__ import annotations

import fcntl
import itertools
import json
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from test_new_kind import KINDS

from identbox.errors import SettingsError
from identbox.evaluate import metrics
from identbox.evaluate.options import BaselineOptions

N = 400  # synthetic rows: enough for a held-out R² to be near its true value


def identbox(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "identbox", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def _invertible(content: np.ndarray, seed: int = 1) -> np.ndarray:
    """A smooth invertible map of the content columns (a rotation, then a monotone warp)."""
    rotation, _ = np.linalg.qr(np.random.default_rng(seed).normal(size=(3, 3)))
    mixed = content @ rotation
    return mixed + 0.4 * mixed ** 3


@pytest.fixture(scope="module")
def factors() -> np.ndarray:
    """N rows of six independent uniform factors: three content, three style."""
    return np.random.default_rng(0).uniform(-1, 1, (N, 6))


def test_an_invertible_function_of_content_recovers_content_and_not_style(
        factors: np.ndarray) -> None:
    codes = _invertible(factors[:, :3])
    train, test = metrics.split_rows(N, seed=0)
    nonlinear = [metrics.r2_nonlinear(codes[train], factors[train, k], codes[test],
                                      factors[test, k]) for k in (0, 2, 3, 5)]  # time: 4 of 6
    linear = [metrics.r2_linear(codes[train], factors[train, k], codes[test], factors[test, k])
              for k in range(6)]
    assert min(nonlinear[:2]) > 0.95, nonlinear
    assert max(abs(r) for r in nonlinear[2:]) < 0.1, nonlinear
    assert min(linear[:3]) > 0.8 and max(linear[3:]) < 0.1, linear
    # A categorical factor: the quadrant of two content columns, read from the codes.
    quadrant = (factors[:, 0] > 0) * 2 + (factors[:, 1] > 0)
    assert metrics.accuracy_nonlinear(codes[train], quadrant[train], codes[test],
                                      quadrant[test]) > 0.85
    noise = np.random.default_rng(5).normal(size=(N, 3))
    chance = metrics.accuracy_linear(noise[train], quadrant[train], noise[test], quadrant[test])
    assert chance < 0.45  # four categories: about 0.25


def test_mcc_and_dci_of_a_permuted_rescaled_copy_and_of_noise(factors: np.ndarray) -> None:
    order = [4, 0, 5, 2, 1, 3]
    copy = factors[:, order] * np.array([3.0, -0.5, 2.0, 10.0, -1.0, 0.2]) + 7.0
    assert metrics.mcc(factors, copy, "pearson") == pytest.approx(1.0, abs=1e-9)
    # Spearman sees through a monotone warp of each dimension; Pearson does not.
    warped = np.exp(3 * copy / np.abs(copy).max(axis=0))
    assert metrics.mcc(factors, warped, "spearman") == pytest.approx(1.0, abs=1e-9)
    assert metrics.mcc(factors, warped, "pearson") < 0.99
    noise = np.random.default_rng(7).normal(size=(N, 6))
    assert metrics.mcc(factors, noise) < 0.15
    train, test = metrics.split_rows(N, seed=0)
    exact = metrics.dci(copy[train], factors[train], copy[test], factors[test])
    assert exact["disentanglement"] > 0.9 and exact["completeness"] > 0.9
    assert exact["informativeness"] > 0.95
    assert np.argmax(np.array(exact["importance"]), axis=0).tolist() == [1, 4, 3, 5, 0, 2]
    none = metrics.dci(noise[train], factors[train], noise[test], factors[test])
    assert none["disentanglement"] < 0.3 and none["informativeness"] < 0.1


def _best_matching(factors: np.ndarray, codes: np.ndarray) -> float:
    """MCC by brute force: the mean |Pearson correlation| of the best of every one-to-one
    matching of factors to code dimensions (6! = 720 of them)."""
    k = factors.shape[1]
    found = np.abs(np.corrcoef(factors, codes, rowvar=False)[:k, k:])
    return max(float(found[range(k), list(order)].mean())
               for order in itertools.permutations(range(codes.shape[1]), k))


def test_mcc_matches_factors_and_code_dimensions_one_to_one(factors: np.ndarray) -> None:
    """Two code dimensions compete for factor 0: dimension 1 holds it best (and factor 1
    weakly), dimension 0 holds only it. The best one-to-one matching gives factor 0 the
    dimension that holds nothing else; a best dimension per factor counts dimension 1 twice,
    and a greedy match, factor by factor, leaves factor 1 with noise."""
    noise = np.random.default_rng(11).normal(size=(N, 6))
    codes = factors + 0.3 * noise
    codes[:, 0] = 0.8 * factors[:, 0] + 0.6 * noise[:, 0]
    codes[:, 1] = factors[:, 0] + 0.5 * factors[:, 1]
    codes = codes[:, [3, 1, 5, 0, 2, 4]]  # the matching must find the order too
    found = np.abs(np.corrcoef(factors, codes, rowvar=False)[:6, 6:])
    free, greedy = list(range(6)), []
    for row in found:
        taken = max(free, key=row.__getitem__)
        greedy.append(row[taken])
        free.remove(taken)
    best = _best_matching(factors, codes)
    # The case discriminates: neither shortcut reaches the best matching's mean.
    assert found.max(axis=1).mean() > best + 0.01 and np.mean(greedy) < best - 0.01
    assert metrics.mcc(factors, codes, "pearson") == pytest.approx(best, abs=1e-12)
    from scipy.stats import rankdata

    assert metrics.mcc(factors, codes, "spearman") == pytest.approx(
        _best_matching(rankdata(factors, axis=0), rankdata(codes, axis=0)), abs=1e-12)


def _entropy(weights: np.ndarray, base: int) -> float:
    """The entropy of non-negative weights normalised to sum to 1, in log base `base`."""
    p = (weights + 1e-11) / (weights + 1e-11).sum()  # dci.py's 1e-11: no log of 0
    return float(-(p * np.log(p)).sum() / np.log(base))


def _published_dci(importance: np.ndarray) -> tuple[float, float]:
    """Disentanglement and completeness of an importance matrix (codes x factors), written
    out as disentanglement_lib's dci.py computes them (Eastwood and Williams 2018): a code
    dimension's score is 1 - the entropy of its row over the factors (log base: the number of
    factors), weighted by its share of all importance; a factor's is 1 - the entropy of its
    column over the code dimensions (log base: the number of codes), weighted by its share."""
    n_codes, n_factors = importance.shape
    total = importance.sum()
    disentanglement = sum((1 - _entropy(row, n_factors)) * row.sum() / total
                          for row in importance)
    completeness = sum((1 - _entropy(column, n_codes)) * column.sum() / total
                       for column in importance.T)
    return disentanglement, completeness


# Fixed importance matrices (code dimensions x factors). Trees' importances sum to 1 for each
# factor, as in the first two; in the third no tree used factor 2 (all zero).
IMPORTANCES = {
    "two by two": [[0.5, 0.0], [0.5, 1.0]],
    "four codes, three factors": [[0.7, 0.1, 0.0], [0.2, 0.1, 0.05], [0.1, 0.8, 0.05],
                                  [0.0, 0.0, 0.9]],
    "a factor no code predicts": [[0.9, 0.2, 0.0], [0.1, 0.3, 0.0], [0.0, 0.5, 0.0]]}


@pytest.mark.parametrize("name", IMPORTANCES)
def test_dci_is_the_published_formula_of_its_importance_matrix(
        name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """dci()'s trees replaced by a fixed importance matrix: disentanglement weighs each code
    dimension's score by its share of the importance (not a plain mean), each score taken over
    its row (a code's spread over factors), completeness over each column. Where every factor's
    importances sum to one, as trees' do, completeness is also Eastwood and Williams' own plain
    mean over factors."""
    importance = np.array(IMPORTANCES[name])
    n_codes, n_factors = importance.shape

    def fixed(x_train: np.ndarray, y_train: np.ndarray, categorical: bool, seed: int):
        factor = int(y_train[0])  # factor k's column is all k
        return importance[:, factor], lambda x, y: 0.1 * factor

    monkeypatch.setattr(metrics, "_importances", fixed)
    truth = np.tile(np.arange(n_factors, dtype=float), (10, 1))
    found = metrics.dci(np.zeros((10, n_codes)), truth, np.zeros((5, n_codes)), truth[:5])
    disentanglement, completeness = _published_dci(importance)
    assert found["disentanglement"] == pytest.approx(disentanglement, abs=1e-9), found
    assert found["completeness"] == pytest.approx(completeness, abs=1e-9), found
    assert found["importance"] == importance.tolist()
    assert found["informativeness"] == pytest.approx(0.1 * (n_factors - 1) / 2)
    if np.allclose(importance.sum(axis=0), 1.0):  # each factor's share is the same
        columns = [1 - _entropy(column, n_codes) for column in importance.T]
        assert found["completeness"] == pytest.approx(np.mean(columns), abs=1e-9)
    if name == "two by two":  # by hand: rows [1/2, 0] and [1/2, 1] weigh 1/4 and 3/4
        bits = np.log2(3) - 2 / 3  # the entropy of (1/3, 2/3) in bits
        assert found["disentanglement"] == pytest.approx(0.25 + 0.75 * (1 - bits), abs=1e-9)
        assert found["completeness"] == pytest.approx(0.5, abs=1e-9)  # columns score 0 and 1


def test_bad_settings_are_refused_in_one_line() -> None:
    with pytest.raises(ValueError, match="test_fraction"):
        metrics.split_rows(10, test_fraction=1.5)
    with pytest.raises(ValueError, match="epochs = 0 is not allowed"):
        BaselineOptions(epochs=0)
    with pytest.raises(ValueError, match="two different views"):
        BaselineOptions(views=(2, 2))


def test_an_object_s_type_is_a_categorical_factor(tmp_path: Path) -> None:
    """Multi-object latents (no images needed): the manifest's type columns are categorical
    factors, scored by accuracy; every factor takes its block's type from the manifest."""
    from identbox.dataset.files.manifest import read_manifest
    from identbox.dataset.writing.writer import write_latents
    from identbox.evaluate.report import view_factors
    from identbox.presets import load_preset

    write_latents(load_preset("objects_content_2").replace(n_pairs=100), tmp_path / "d")
    found, skipped = view_factors(tmp_path / "d", read_manifest(tmp_path / "d/manifest.json"), 1)
    by_name = {f.name: f for f in found}
    assert [f.name for f in found if f.categorical] == ["object0_type", "object1_type"]
    assert by_name["object0_type"].block_type == "content" and not skipped
    assert by_name["object0_x"].block_type == "style" and by_name["spot_hue"].block_type == \
        "view_specific"
    kind = by_name["object0_type"].values.astype(int)
    codes = np.eye(kind.max() + 1)[kind] + 0.01 * np.random.default_rng(0).normal(size=(100, 1))
    train, test = metrics.split_rows(100)
    assert metrics.accuracy_linear(codes[train], kind[train], codes[test], kind[test]) == 1.0
    other = by_name["object1_type"].values.astype(int)
    assert metrics.accuracy_linear(codes[train], other[train], codes[test], other[test]) < 0.9


PRESET = {"name": "evaluate_tiny", "n_pairs": 128, "seed": 3,
          "views": [{}, {}, {"modality": "text"}],
          "blocks": {"hues": {"type": "content"}, "positions": {"type": "style"},
                     "rotations": {"type": "view_specific"}},
          "render": {"resolution": 16, "samples": 2}}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """128 scenes at 16 px: views 1 and 2 images (hues content, positions style, rotations
    view-specific), view 3 text."""
    place = tmp_path_factory.mktemp("evaluate")
    (place / "preset.json").write_text(json.dumps(PRESET))
    done = identbox("render", "--preset", "preset.json", "--out", "d", cwd=place)
    assert done.returncode == 0, done.stderr
    return place


@pytest.mark.blender
def test_evaluate_prints_the_table_json_and_plot_of_a_rendered_dataset(rendered: Path) -> None:
    raw = np.load(rendered / "d" / "factors" / "m1" / "raw_latents.npy")
    np.save(rendered / "codes.npy", _invertible(raw[:, 7:10]))  # hue_object ... background
    table = identbox("evaluate", "d", "--representations", "codes.npy", "--plot", "r2.png",
                     cwd=rendered)
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["factor", "block", "block", "type", "R²", "linear", "R²",
                                "nonlinear", "/", "accuracy", "circular", "R²", "lin", "/",
                                "nonlin"]
    hue = next(line.split() for line in lines if line.startswith("hue_object "))
    assert hue[1:3] == ["hues", "content"] and float(hue[4]) > 0.8
    assert "mean content" in table.stdout and "MCC pearson" in table.stdout
    assert "not scored: rot_beta" in table.stdout  # constant: nothing to predict
    with Image.open(rendered / "r2.png") as image:
        assert image.format == "PNG" and image.width > 300 and image.height > 200

    # View 3 is text: the same content (hues), its own style and view-specific values, and
    # the phrasing of its sentence, a categorical factor.
    done = identbox("evaluate", "d", "--representations", "codes.npy", "--view", "3", "--json",
                    cwd=rendered)
    report = json.loads(done.stdout)
    means = report["means"]
    assert means["content"]["r2_nonlinear"] > 0.8
    assert means["style"]["r2_nonlinear"] < 0.3 and means["view_specific"]["r2_nonlinear"] < 0.3
    assert {f["name"] for f in report["factors"]} == {
        "pos_x", "pos_y", "pos_z", "rot_alpha", "rot_gamma", "spot_theta", "hue_object",
        "hue_spot", "hue_background", "phrasing"}
    assert report["train"] + report["test"] == 128 and report["view"] == 3
    phrasing = next(f for f in report["factors"] if f["name"] == "phrasing")
    assert phrasing["kind"] == "categorical" and phrasing["r2_linear"] is None
    assert 0 <= phrasing["accuracy_nonlinear"] <= 1  # 26 rows bound nothing: see the next test


def test_the_phrasing_of_a_text_view_is_not_in_its_content(tmp_path: Path) -> None:
    """The text view's phrasing (which template said the sentence) is drawn apart from the
    scene: a code of the hues reads it at chance, 1 / templates, within four binomial standard
    errors of the held-out rows; a code that also holds it reads it. Latents only (no
    images): 4000 pairs, 800 held out, so the bound is chance + 0.057."""
    from identbox.dataset.files.manifest import read_manifest
    from identbox.dataset.writing.writer import write_latents
    from identbox.evaluate.report import view_factors
    from identbox.settings.kinds import settings_from_dict

    write_latents(settings_from_dict({**PRESET, "n_pairs": 4000}), tmp_path / "d")
    found, _ = view_factors(tmp_path / "d", read_manifest(tmp_path / "d/manifest.json"), 3)
    by_name = {f.name: f for f in found}
    phrasing = by_name["phrasing"]
    assert phrasing.categorical and phrasing.block_type == "view_specific"
    hues = np.column_stack([by_name[n].values for n in ("hue_object", "hue_spot",
                                                         "hue_background")])
    codes, said = _invertible(hues), phrasing.values.astype(int)
    train, test = metrics.split_rows(len(said))
    chance = 1 / len(np.unique(said))
    bound = chance + 4 * np.sqrt(chance * (1 - chance) / len(test))
    for score in (metrics.accuracy_nonlinear, metrics.accuracy_linear):
        accuracy = score(codes[train], said[train], codes[test], said[test])
        assert accuracy <= bound, f"{score.__name__}: {accuracy:.3f} > {bound:.3f}"
    holding = np.column_stack([codes, said])
    assert metrics.accuracy_nonlinear(holding[train], said[train], holding[test],
                                      said[test]) > 0.99


@pytest.mark.blender
def test_evaluate_refuses_a_representation_of_the_wrong_shape(rendered: Path) -> None:
    np.save(rendered / "short.npy", np.zeros((100, 3)))
    bad = identbox("evaluate", "d", "--representations", "short.npy", "--plot", "bad.png",
                   cwd=rendered)
    assert bad.returncode == 2 and bad.stdout == ""
    assert bad.stderr.count("\n") == 1, bad.stderr
    assert "short.npy" in bad.stderr and "(100, 3)" in bad.stderr and "(128, d)" in bad.stderr
    assert not (rendered / "bad.png").exists()
    missing = identbox("evaluate", "d", "--representations", "none.npy", cwd=rendered)
    assert missing.returncode == 2 and "none.npy is missing" in missing.stderr


@pytest.mark.blender
def test_plot_latents_draws_with_matplotlib_in_png_and_svg(rendered: Path) -> None:
    assert identbox("plot-latents", "d", "--out", "l.svg", cwd=rendered).returncode == 0
    assert "<svg" in (rendered / "l.svg").read_text()[:2000]
    bad = identbox("plot-latents", "d", "--out", "l.gif", cwd=rendered)
    assert bad.returncode == 2 and ".png, .pdf, .svg" in bad.stderr


@pytest.mark.blender
@pytest.mark.parametrize(("hidden", "command"), [
    ("matplotlib", ["plot-latents", "d", "--out", "hidden.png"]),
    ("sklearn", ["evaluate", "d", "--representations", "zeros.npy"])])
def test_a_missing_extra_is_one_line_naming_it(rendered: Path, hidden: str,
                                                command: list[str]) -> None:
    np.save(rendered / "zeros.npy", np.zeros((128, 2)))
    code = (f"import sys; sys.modules[{hidden!r}] = None\n"  # as if it were not installed
            f"from identbox.cli import main; sys.exit(main({command!r}))")
    done = subprocess.run([sys.executable, "-c", code], cwd=rendered, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 1 and done.stderr.count("\n") == 1, done.stderr
    assert "pip install 'identbox[evaluate]'" in done.stderr
    assert not (rendered / "hidden.png").exists()


def _identbox_with_colour_style(place: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`python -m identbox ARGS` in a process that registered tests/kinds/colour_style_kind.py:
    the one-colour kind with a grey each view draws for itself."""
    code = ("import sys, colour_style_kind\nfrom identbox.cli import main\n"
            "sys.exit(main(sys.argv[1:]))")
    return subprocess.run([sys.executable, "-c", code, *args], cwd=place, capture_output=True,
                          env=dict(os.environ, PYTHONPATH=str(KINDS)), text=True, timeout=300)


def test_the_baseline_learns_the_content_of_its_pairs_and_not_their_style(
        tmp_path: Path) -> None:
    """Pairs share a colour (content) and each view draws its own grey (style); no Blender.
    Trained six epochs, InfoNCE falls well below log(batch size) (the loss of codes that cannot
    tell a batch's pairs apart) and the held-out codes hold the colour, not the grey. An
    encoder that never learned holds the grey better than the colour."""
    (tmp_path / "p.json").write_text(json.dumps({"kind": "colour_style", "n_pairs": 2000,
                                                 "seed": 1, "render": {"resolution": 16}}))
    rendered = _identbox_with_colour_style(tmp_path, "render", "--preset", "p.json", "--out", "d")
    assert rendered.returncode == 0, rendered.stderr
    done = _identbox_with_colour_style(tmp_path, "baseline", "d", "--epochs", "6",
                                       "--batch-size", "64", "--json", "--codes", "codes.npy",
                                       "--ceiling", "--ceiling-epochs", "8")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    losses = report["losses"]
    assert len(losses) == 6 and np.isfinite(losses).all()
    assert losses[-1] < losses[0] and losses[-1] < np.log(64) - 1, losses
    # The readouts fit on the 1600 training pairs' codes (kernel ridge on Nystroem features,
    # above 1000 rows) and score all 400 held-out pairs, each score with its interval.
    assert (report["train"], report["test"]) == (1600, 400)
    scores = {f["name"]: f for f in report["factors"]}
    content, style = scores["hue_object"], scores["grey"]
    assert (content["block_type"], style["block_type"]) == ("content", "style")
    noise = 3 * np.sqrt(2 / report["test"])  # three standard errors of a held-out R² of 0
    assert content["r2_nonlinear"] > 0.9, content
    assert style["r2_linear"] < noise < content["r2_linear"] - style["r2_linear"], scores
    assert content["r2_nonlinear"] > style["r2_nonlinear"], scores
    low, high = content["interval"]
    assert low <= content["r2_nonlinear"] <= high and high - low < 0.1, content
    # The pixels carry the grey (the probe reads it), the contrastive codes do not: the model's.
    assert report["ceiling"]["grey"] > 0.8 > style["r2_nonlinear"], report["ceiling"]
    codes, rows = np.load(tmp_path / "codes.npy"), np.load(tmp_path / "codes.rows.npy")
    assert codes.shape == (400, 3) and np.isfinite(codes).all()  # 1 content factor + 2
    assert len(set(rows)) == 400 and rows.max() < 2000
    assert "baseline: train: 6/6 epochs (100.0%)" in done.stderr  # plain lines: not a terminal


@pytest.mark.blender
def test_the_baseline_pairs_an_image_view_with_a_text_view(rendered: Path) -> None:
    """One encoder per view: images for view 1, token ids for view 3 (its sentences); the
    held-out pairs' image codes are scored."""
    from identbox.evaluate.baseline import train_baseline

    text = train_baseline(rendered / "d", BaselineOptions(views=(1, 3), epochs=1, code_size=4),
                          log=lambda line: None)
    assert text.codes.shape == (26, 4) and text.report.view == 1  # 20% of 128 pairs held out
    assert len(set(text.held_out)) == 26 and np.isfinite(text.losses).all()


def _stderr_of(code: str, terminal: bool) -> str:
    """What `code` writes to stderr when stderr is a terminal (a pty) or a pipe."""
    if not terminal:
        return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                              timeout=60).stderr
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # 100 wide
    process = subprocess.Popen([sys.executable, "-c", code], stderr=follower)
    os.close(follower)
    said = b""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        said += chunk
    process.wait(timeout=60)
    os.close(leader)
    return said.decode(errors="replace")


def test_progress_is_a_bar_on_a_terminal_and_plain_lines_in_a_log() -> None:
    code = ("import sys\nfrom identbox.console import progress\n"
            "for _ in progress(range(3), 'work', 'items', lambda s: print(s, file=sys.stderr)):"
            "\n    pass\n")
    plain = _stderr_of(code, terminal=False)
    assert plain.splitlines()[-1].startswith("work: 3/3 items (100.0%), ")
    assert "ETA" in plain and "\r" not in plain
    bar = _stderr_of(code, terminal=True)
    assert "work: 100%" in bar and "3/3" in bar and "\r" in bar
    assert "(100.0%)" not in bar  # the bar, not the lines


def _sequence(root: Path, *extra: str) -> dict[str, np.ndarray]:
    """A Temporal Causal3DIdent sequence's factor files (no images: evaluate needs none)."""
    sampled = identbox("sample", "--preset", "temporal_causal3dident_teapot", "--n-frames", "500",
                       "--n-triplets", "0", *extra, "--out", str(root), cwd=root.parent)
    assert sampled.returncode == 0, sampled.stderr
    return {path.stem: np.load(path) for path in root.glob("factors/*latents.npy")}


def _held(latents: np.ndarray, seed: int = 2) -> np.ndarray:
    """A code that holds every causal variable: angles as a point on the circle (so a wrap of
    2 pi is no jump), positions warped, the whole mixed by a rotation."""
    angles = latents[:, 3:10]
    circle = np.concatenate([np.cos(angles), np.sin(angles)], axis=1)
    positions = latents[:, :3] + 0.2 * latents[:, :3] ** 3
    codes = np.concatenate([positions, circle], axis=1)
    rotation, _ = np.linalg.qr(np.random.default_rng(seed).normal(size=(codes.shape[1],) * 2))
    return codes @ rotation


def test_evaluate_scores_a_sequence_s_causal_variables_per_frame(tmp_path: Path) -> None:
    """A sequence is scored per frame (or per independent frame), each causal variable in its
    group; angles as (cos, sin): a code holding the angles on the circle is scored near 1 where
    the raw angle (which jumps from 2 pi to 0) would not be; noise near 0."""
    from identbox.evaluate.report import evaluate

    root = tmp_path / "seq"
    arrays = _sequence(root, "--n-independent", "300")
    report = evaluate(root, _held(arrays["latents"]))
    scores = {s.name: s for s in report.factors}
    assert report.unit == "frames" and report.pairs == 500 and report.test == 100
    assert set(report.skipped) == {"rot_gamma", "shape"}  # constant: one shape, gamma 0
    assert scores["pos_y"].block == "pos" and scores["rot_beta"].block == "rot"
    assert {s.block_type for s in report.factors} == {"causal"}
    assert min(s.r2_linear for s in report.factors if s.name.startswith(("rot", "hue"))) > 0.99
    assert min(s.r2_nonlinear for s in report.factors) > 0.9  # type: ignore[type-var]
    raw = np.asarray(arrays["latents"][:, 9])  # hue_back's raw angle, wrapping at 2 pi
    wrapped = np.stack([np.cos(raw), np.sin(raw)], axis=1)
    from identbox.evaluate.metrics import r2_linear, split_rows

    train, test = split_rows(500)
    assert r2_linear(raw[train, None], wrapped[train], raw[test, None], wrapped[test]) < 0.9
    noise = evaluate(root, np.random.default_rng(4).normal(size=(300, 6)), part="independent")
    assert noise.unit == "independent frames" and noise.pairs == 300
    chance = 3 * np.sqrt(2 / noise.test)  # three standard errors of a held-out R² of 0
    assert max(s.r2_nonlinear for s in noise.factors) < chance  # type: ignore[type-var]
    independent = evaluate(root, _held(arrays["independent_latents"]), part="independent")
    assert min(s.r2_nonlinear for s in independent.factors) > 0.9  # type: ignore[type-var]


def test_evaluate_of_a_sequence_refuses_bad_settings_in_one_line(tmp_path: Path) -> None:
    root = tmp_path / "seq"
    arrays = _sequence(root)
    np.save(tmp_path / "codes.npy", _held(arrays["latents"]))
    np.save(tmp_path / "short.npy", np.zeros((499, 4)))
    cases = {("--representations", "short.npy"): ("(499, 4)", "one row per frame: (500, d)"),
             ("--representations", "codes.npy", "--part", "independent"):
                 ("part", "--n-independent"),
             ("--representations", "codes.npy", "--view", "2"): ("view", "one view")}
    for extra, named in cases.items():
        bad = identbox("evaluate", "seq", *extra, cwd=tmp_path)
        assert bad.returncode == 2 and bad.stdout == "", bad.stderr
        assert bad.stderr.count("\n") == 1 and all(n in bad.stderr for n in named), bad.stderr
    baseline = identbox("baseline", "seq", cwd=tmp_path)  # a traceback before
    assert baseline.returncode == 2 and baseline.stderr.count("\n") == 1, baseline.stderr
    assert "holds a sequence" in baseline.stderr and "evaluate" in baseline.stderr
    good = identbox("evaluate", "seq", "--representations", "codes.npy", "--plot", "r2.png",
                    cwd=tmp_path)
    assert good.returncode == 0, good.stderr
    assert "mean causal" in good.stdout and "500 frames, fitted on 400" in good.stdout
    assert "not scored: rot_gamma, shape" in good.stdout
    assert Image.open(tmp_path / "r2.png").size[0] > 100


def test_evaluate_takes_the_rows_that_baseline_codes_wrote(tmp_path: Path) -> None:
    """Codes of some pairs (baseline --codes writes the held-out pairs' codes and their
    indices as CODES.rows.npy): evaluate picks the rows file up beside the codes, or takes
    --rows; without it the shape is refused, and bad rows are one line naming --rows."""
    from identbox.dataset.writing.writer import write_latents
    from identbox.settings.kinds import settings_from_dict

    write_latents(settings_from_dict({**PRESET, "n_pairs": 400}), tmp_path / "d")
    raw = np.load(tmp_path / "d" / "factors" / "m1" / "raw_latents.npy")
    rows = np.random.default_rng(3).permutation(400)[:150]
    np.save(tmp_path / "codes.npy", _invertible(raw[rows, 7:10]))
    np.save(tmp_path / "codes.rows.npy", rows)
    done = identbox("evaluate", "d", "--representations", "codes.npy", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    hue = next(f for f in report["factors"] if f["name"] == "hue_object")
    assert report["pairs"] == 150 and hue["r2_nonlinear"] > 0.8, hue
    (tmp_path / "codes.rows.npy").rename(tmp_path / "held.npy")
    named = identbox("evaluate", "d", "--representations", "codes.npy", "--rows", "held.npy",
                     "--json", cwd=tmp_path)
    assert json.loads(named.stdout)["factors"] == report["factors"]
    alone = identbox("evaluate", "d", "--representations", "codes.npy", cwd=tmp_path)
    assert alone.returncode == 2 and "(400, d)" in alone.stderr, alone.stderr
    for bad, said in ((rows + 300, "pair indices from 0 to 399"), (rows * 0, "distinct"),
                      (rows.astype(float), "integers")):
        np.save(tmp_path / "bad.npy", bad)
        refused = identbox("evaluate", "d", "--representations", "codes.npy", "--rows",
                           "bad.npy", cwd=tmp_path)
        assert refused.returncode == 2 and said in refused.stderr, refused.stderr
        assert refused.stderr.count("\n") == 1 and "--rows bad.npy" in refused.stderr


def test_hues_and_angles_are_scored_on_the_circle_as_well(tmp_path: Path) -> None:
    """Raw -1 and 1 of a hue are one colour: a code holding each hue as a point on the circle
    (cos, sin) maps to it linearly there (circular R² near 1), where the raw value, which jumps
    at the wrap, is not linear in it. Positions are not angles: no circular score."""
    from identbox.dataset.writing.writer import write_latents
    from identbox.evaluate.report import evaluate, table
    from identbox.settings.kinds import settings_from_dict

    write_latents(settings_from_dict({**PRESET, "n_pairs": 400}), tmp_path / "d")
    raw = np.load(tmp_path / "d" / "factors" / "m1" / "raw_latents.npy")
    hues = np.pi * raw[:, 7:10]
    codes = np.column_stack([np.cos(hues), np.sin(hues), raw[:, :2]])
    report = evaluate(tmp_path / "d", codes)
    scores = {s.name: s for s in report.factors}
    for name in ("hue_object", "hue_spot", "hue_background"):
        score = scores[name]
        assert score.r2_circular_linear is not None and score.r2_circular_linear > 0.99, score
        assert score.r2_linear is not None and score.r2_linear < 0.9, score
    assert scores["pos_x"].r2_circular_nonlinear is None and scores["pos_x"].r2_linear > 0.99
    assert report.means["content"]["r2_circular_linear"] > 0.99  # the preset's hues: content
    assert "circular R²" in table(report)


def test_the_manifest_marks_every_full_turn_circular() -> None:
    from identbox.presets import load_preset
    from identbox.settings.objects import MultiObjectSettings

    pairs = {c["name"] for c in load_preset("three_views_camera").columns() if c.get("circular")}
    assert pairs == {"rot_alpha", "rot_gamma", "spot_theta", "hue_object", "hue_spot",
                     "hue_background", "cam_azimuth"}
    objects = {c["name"] for c in MultiObjectSettings(n_objects=1).columns()
               if c.get("circular")}
    assert objects == {"spot_hue", "background_hue", "spot_theta", "object0_hue",
                       "object0_alpha", "object0_beta"}
    multimodal = {c["name"] for c in load_preset("multimodal3dident").columns()
                  if c.get("circular")}
    assert multimodal == {"hue_object", "hue_spot", "hue_background"}


def test_kernel_ridge_fits_past_a_thousand_rows_as_the_exact_one_does() -> None:
    """Above metrics.EXACT_ROWS training rows the RBF kernel ridge runs on Nystroem features:
    on 2500 rows it recovers content as the exact one does on 1000 of them, and not style."""
    rng = np.random.default_rng(5)
    factors = rng.uniform(-1, 1, (2500, 4))
    codes = _invertible(factors[:, :3])
    train, test = metrics.split_rows(len(factors), seed=0)
    assert len(train) > metrics.EXACT_ROWS
    content = metrics.r2_nonlinear(codes[train], factors[train, 0], codes[test], factors[test, 0])
    exact = metrics.r2_nonlinear(codes[train[:1000]], factors[train[:1000], 0], codes[test],
                                 factors[test, 0])
    assert content > 0.97 and abs(content - exact) < 0.02, (content, exact)
    style = metrics.r2_nonlinear(codes[train], factors[train, 3], codes[test], factors[test, 3])
    assert abs(style) < 3 * np.sqrt(2 / len(test)), style  # three standard errors of 0


def test_the_bootstrap_interval_holds_the_score_and_narrows_with_rows() -> None:
    rng = np.random.default_rng(6)
    widths = []
    for n in (400, 3600):  # nine times the rows: a third of the width, about
        truth = rng.normal(size=n)
        predicted = truth + rng.normal(scale=0.7, size=n)
        low, high = metrics.bootstrap_interval(truth, predicted, metrics.r2)
        assert low < metrics.r2(truth, predicted) < high
        widths.append(high - low)
    assert 0.2 < widths[1] / widths[0] < 0.5, widths
    assert metrics.bootstrap_interval(truth, truth, metrics.r2) == (1.0, 1.0)


def test_the_ceiling_says_what_the_pixels_carry(tmp_path: Path) -> None:
    """A supervised probe learns each factor from view 1's images: near 1 for the colour and
    the grey the images show, near 0 for a factor they never show (tests/kinds/
    colour_hidden_kind.py); a code of the colour alone scores the grey low beside a high
    ceiling (the model's fault, not the data's)."""
    (tmp_path / "p.json").write_text(json.dumps({"kind": "colour_hidden", "n_pairs": 600,
                                                 "seed": 2, "render": {"resolution": 16}}))
    code = ("import sys, colour_hidden_kind\nfrom identbox.cli import main\n"
            "sys.exit(main(sys.argv[1:]))")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-c", code, *args], cwd=tmp_path, text=True,
                              capture_output=True, env=dict(os.environ, PYTHONPATH=str(KINDS)),
                              timeout=600)

    assert run("render", "--preset", "p.json", "--out", "d").returncode == 0
    raw = np.load(tmp_path / "d" / "factors" / "m1" / "raw_latents.npy")
    np.save(tmp_path / "codes.npy", _invertible(np.column_stack([raw[:, :1]] * 3)))
    done = run("evaluate", "d", "--representations", "codes.npy", "--ceiling",
               "--ceiling-epochs", "40", "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    ceiling = report["ceiling"]
    noise = 3 * np.sqrt(2 / report["test"])  # three standard errors of a held-out R² of 0
    assert ceiling["hue_object"] > 0.9 and ceiling["grey"] > 0.9, ceiling
    assert ceiling["hidden"] < noise, ceiling
    grey = next(f for f in report["factors"] if f["name"] == "grey")
    assert grey["r2_nonlinear"] < noise < ceiling["grey"], (grey, ceiling)
    table = run("evaluate", "d", "--representations", "codes.npy", "--ceiling",
                "--ceiling-epochs", "1")
    assert table.returncode == 0 and "ceiling" in table.stdout.splitlines()[0], table.stdout


def test_the_papers_encoders_and_losses_are_theirs() -> None:
    """ResNet-18 has torchvision's 11,689,512 weights at 1000 outputs; NT-Xent is SimCLR's
    (computed here by hand for a small batch); the augmentations keep images in [0, 1] and
    repeat with the generator's seed."""
    import torch

    from identbox.evaluate.baseline import nt_xent
    from identbox.evaluate.encoders import augmented, resnet18, text_encoder_2d

    assert sum(p.numel() for p in resnet18(1000).parameters()) == 11_689_512
    assert text_encoder_2d(4, 30)(torch.randint(0, 30, (2, 12))).shape == (2, 4)
    rng = np.random.default_rng(0)
    one, two = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    unit = [c / np.linalg.norm(c, axis=1, keepdims=True) for c in (one, two)]
    codes = np.concatenate(unit)
    similar = codes @ codes.T / 0.5  # tau 0.5
    np.fill_diagonal(similar, -np.inf)
    pair = np.r_[np.arange(5, 10), np.arange(5)]
    expected = np.mean([np.log(np.exp(row).sum()) - row[pair[k]]
                        for k, row in enumerate(similar)])
    found = nt_xent(torch, torch.tensor(one), torch.tensor(two), torch.tensor(np.log(2.0)))
    assert float(found) == pytest.approx(expected, rel=1e-6)
    images = torch.rand(4, 3, 16, 16)
    shown = [augmented(torch, images, ("crop", "colour"), torch.Generator().manual_seed(3))
             for _ in range(2)]
    assert torch.equal(shown[0], shown[1]) and not torch.equal(shown[0], images)
    assert shown[0].shape == images.shape and 0 <= float(shown[0].min()) <= float(
        shown[0].max()) <= 1


@pytest.mark.blender
def test_the_papers_protocols_run_a_few_steps(rendered: Path) -> None:
    """Each named protocol trains (three steps here, 100,001 in the paper) and is scored:
    Daunhawer et al.'s on image and text (a code of 4, the MLP readout), von Kuegelgen et
    al.'s on two image views through one shared, augmented encoder (a code of 9)."""
    from identbox.evaluate.baseline import train_baseline
    from identbox.evaluate.options import options_for

    for protocol, views, size in (("daunhawer2023", (1, 3), 4),
                                  ("vonkuegelgen2021", (1, 2), 9)):
        result = train_baseline(rendered / "d", options_for(protocol, views=views, steps=3,
                                                            batch_size=16),
                                log=lambda line: None)
        assert len(result.losses) == 1 and np.isfinite(result.losses).all(), protocol
        assert result.codes.shape == (26, size), (protocol, result.codes.shape)
        assert result.report.test == 26 and result.report.factors, protocol
    with pytest.raises(SettingsError, match=r"protocol = 'simclr'.*one of identbox"):
        options_for("simclr")


@pytest.mark.blender
def test_a_study_renders_trains_scores_reports_and_resumes(tmp_path: Path) -> None:
    """`study` on one preset at a tiny size: the dataset, the scored result and a report with
    every factor and its ceiling; run again, it draws and trains nothing (resumed), and the
    report is the same. An unknown preset is one line, before anything is written."""
    args = ("study", "--presets", "hues_positions_rotations", "--n-pairs", "40",
            "--resolution", "16", "--samples", "1", "--epochs", "1", "--ceiling-epochs", "2",
            "--out", "s")
    done = identbox(*args, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    report = (tmp_path / "s" / "report.md").read_text()
    assert "| hues_positions_rotations | hue_object | content |" in report
    assert "| dataset | content | style | view-specific | minutes |" in report
    assert (tmp_path / "s" / "datasets" / "hues_positions_rotations" / "manifest.json").exists()
    with Image.open(tmp_path / "s" / "report.png") as image:
        assert image.format == "PNG" and image.width > 300
    again = identbox(*args, cwd=tmp_path)
    assert again.returncode == 0 and "scored before" in again.stderr, again.stderr
    assert "render" not in again.stderr.replace("study: wrote", "")
    assert (tmp_path / "s" / "report.md").read_text() == report
    bad = identbox("study", "--presets", "hues_everywhere", "--out", "t", cwd=tmp_path)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1, bad.stderr
    assert "hues_everywhere" in bad.stderr and not (tmp_path / "t").exists()
