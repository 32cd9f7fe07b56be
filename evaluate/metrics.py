"""Scores of a representation against ground-truth factors, on plain arrays: R² of a linear and
of a kernel regressor, accuracy for categorical factors, MCC and DCI. scikit-learn and scipy
do the estimating, as in the ICLR 2023 code (R²) and disentanglement_lib (DCI); nothing here is
fitted by hand. Every estimator is fitted on the training rows and scored on the held-out ones."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

EXTRA = "evaluate"  # the pip extra that brings scikit-learn, scipy and matplotlib
# Kernel ridge costs memory and time in the square of its training rows: up to EXACT_ROWS it is
# fitted exactly; above, on Nystroem features (an RBF kernel's NYSTROEM_COMPONENTS-dimensional
# approximation, scikit-learn's) with a ridge; above KERNEL_ROWS, a seeded subset of the
# training rows fits it (the linear fits use every row).
EXACT_ROWS = 1000
NYSTROEM_COMPONENTS = 200
KERNEL_ROWS = 10_000
# Confidence intervals: percentile bootstrap over the held-out rows (the fitted model kept).
BOOTSTRAP_DRAWS = 500
CONFIDENCE = 0.95
# The ICLR 2023 code's grid (Daunhawer et al., "Identifiability results for multimodal
# contrastive learning"): alpha and gamma of an RBF kernel ridge, 3-fold cross-validation.
KERNEL_GRID = {"alpha": [1.0, 0.1, 0.01, 0.001], "gamma": list(np.logspace(-2, 2, 4))}
CLASSIFIER_GRID = {"C": [0.1, 1.0, 10.0]}


def needs(module: str, extra: str = EXTRA) -> Any:
    """Import `module`, or ImportError in one line naming the pip extra that brings it."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        top = module.split(".")[0]
        raise ImportError(f"{top} is not installed: pip install 'identbox[{extra}]' (or pip "
                          f"install {'scikit-learn' if top == 'sklearn' else top})") from None


def split_rows(n: int, test_fraction: float = 0.2, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(train, test) row indices: a seeded permutation of 0..n-1 cut once, each part sorted."""
    cut = n - held_out_count(n, test_fraction)
    if cut < 2:
        raise ValueError(f"{n} rows are too few to fit on some and score on the others")
    order = np.random.default_rng(seed).permutation(n)
    return np.sort(order[:cut]), np.sort(order[cut:])


def held_out_count(n: int, test_fraction: float = 0.2) -> int:
    """How many of n rows split_rows holds out: the fraction, rounded, at least one."""
    if not 0.0 < test_fraction < 1.0:
        raise ValueError(f"test_fraction must lie in (0, 1), not {test_fraction}")
    return max(1, round(n * test_fraction))


def _standardised(train: np.ndarray, test: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    scaler = needs("sklearn.preprocessing").StandardScaler().fit(train)
    return scaler.transform(train), scaler.transform(test)


def _subset(n: int, most: int, seed: int) -> np.ndarray:
    return np.arange(n) if n <= most else np.sort(np.random.default_rng(seed).choice(n, most,
                                                                                     replace=False))


def r2(y_test: np.ndarray, predicted: np.ndarray) -> float:
    """R² of predictions (the mean over the columns of a two-column factor: cos and sin)."""
    return float(needs("sklearn.metrics").r2_score(y_test, predicted))


def predict_linear(x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray) -> np.ndarray:
    """Held-out predictions of a least-squares linear map from the representation."""
    linear = needs("sklearn.linear_model").LinearRegression()
    x_train, x_test = _standardised(x_train, x_test)
    return np.asarray(linear.fit(x_train, y_train).predict(x_test))


def _nystroem_ridge(x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray,
                    seed: int) -> np.ndarray:
    """Kernel ridge past EXACT_ROWS rows: per gamma, the RBF kernel's Nystroem features of
    the training codes (unsupervised, so made once per gamma), then a ridge whose alpha a
    3-fold grid search chooses; the gamma with the best cross-validated score predicts."""
    nystroem = needs("sklearn.kernel_approximation").Nystroem
    search = needs("sklearn.model_selection").GridSearchCV
    ridge = needs("sklearn.linear_model").Ridge()
    best: tuple[float, Any, Any] | None = None
    for gamma in KERNEL_GRID["gamma"]:
        features = nystroem(kernel="rbf", gamma=gamma, n_components=NYSTROEM_COMPONENTS,
                            random_state=seed).fit(x_train)
        fitted = search(ridge, {"alpha": KERNEL_GRID["alpha"]}, cv=3).fit(
            features.transform(x_train), y_train)
        if best is None or fitted.best_score_ > best[0]:
            best = (fitted.best_score_, features, fitted)
    assert best is not None
    return np.asarray(best[2].predict(best[1].transform(x_test)))


def predict_nonlinear(x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray,
                      seed: int = 0) -> np.ndarray:
    """Held-out predictions of an RBF kernel ridge whose alpha and gamma a 3-fold grid search
    chose: exact up to EXACT_ROWS training rows, on Nystroem features above."""
    x_train, x_test = _standardised(x_train, x_test)
    rows = _subset(len(x_train), KERNEL_ROWS, seed)
    if len(rows) > EXACT_ROWS:
        return _nystroem_ridge(x_train[rows], y_train[rows], x_test, seed)
    search = needs("sklearn.model_selection").GridSearchCV(
        needs("sklearn.kernel_ridge").KernelRidge(kernel="rbf"), KERNEL_GRID, cv=3)
    return np.asarray(search.fit(x_train[rows], y_train[rows]).predict(x_test))


def r2_linear(x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray,
              y_test: np.ndarray) -> float:
    """Held-out R² of a least-squares linear map from the representation to one factor."""
    return r2(y_test, predict_linear(x_train, y_train, x_test))


def r2_nonlinear(x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray,
                 y_test: np.ndarray, seed: int = 0) -> float:
    """Held-out R² of an RBF kernel ridge whose alpha and gamma a 3-fold grid search chose."""
    return r2(y_test, predict_nonlinear(x_train, y_train, x_test, seed))


def bootstrap_interval(y_test: np.ndarray, predicted: np.ndarray,
                       score: Callable[[np.ndarray, np.ndarray], float], seed: int = 0,
                       draws: int = BOOTSTRAP_DRAWS) -> tuple[float, float]:
    """The CONFIDENCE percentile interval of a held-out score over bootstrap resamples of the
    held-out rows (the fitted model kept: it says how much the rows scored move the figure)."""
    rng = np.random.default_rng(seed)
    found = [score(y_test[rows], predicted[rows])
             for rows in rng.integers(0, len(y_test), (draws, len(y_test)))]
    tail = (1 - CONFIDENCE) / 2 * 100
    low, high = np.nanpercentile(found, [tail, 100 - tail])
    return float(low), float(high)


def accuracy(y_test: np.ndarray, predicted: np.ndarray) -> float:
    """The fraction of rows predicted right."""
    return float(np.mean(np.asarray(y_test) == np.asarray(predicted)))


def accuracy_linear(x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray,
                    y_test: np.ndarray) -> float:
    """Held-out accuracy of a logistic regression predicting a categorical factor."""
    logistic = needs("sklearn.linear_model").LogisticRegression(max_iter=2000)
    x_train, x_test = _standardised(x_train, x_test)
    return float(logistic.fit(x_train, y_train).score(x_test, y_test))


CLASSIFIERS = ("svc", "mlp")


def classify_nonlinear(x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray,
                       seed: int = 0, classifier: str = "svc") -> np.ndarray:
    """Held-out classes from an RBF support-vector classifier (C by a 3-fold grid search),
    fitted on at most EXACT_ROWS training rows (its cost grows with their square); with
    classifier "mlp", from scikit-learn's MLP classifier on every row, as Daunhawer et al.'s
    script reads its discrete factors."""
    if classifier == "mlp":
        mlp = needs("sklearn.neural_network").MLPClassifier(max_iter=1000, random_state=seed)
        x_train, x_test = _standardised(x_train, x_test)
        return np.asarray(mlp.fit(x_train, y_train).predict(x_test))
    svc = needs("sklearn.svm").SVC(kernel="rbf")
    folds = max(2, min(3, int(np.bincount(np.unique(y_train, return_inverse=True)[1]).min())))
    search = needs("sklearn.model_selection").GridSearchCV(svc, CLASSIFIER_GRID, cv=folds)
    x_train, x_test = _standardised(x_train, x_test)
    rows = _subset(len(x_train), EXACT_ROWS, seed)
    return np.asarray(search.fit(x_train[rows], y_train[rows]).predict(x_test))


def accuracy_nonlinear(x_train: np.ndarray, y_train: np.ndarray, x_test: np.ndarray,
                       y_test: np.ndarray, seed: int = 0) -> float:
    """Held-out accuracy of an RBF support-vector classifier (C by a 3-fold grid search)."""
    return accuracy(y_test, classify_nonlinear(x_train, y_train, x_test, seed))


def _correlations(factors: np.ndarray, codes: np.ndarray, method: str) -> np.ndarray:
    """|correlation| of every factor (rows) with every code dimension (columns)."""
    if method == "spearman":
        rank = needs("scipy.stats").rankdata
        factors, codes = rank(factors, axis=0), rank(codes, axis=0)
    elif method != "pearson":
        raise ValueError(f"method must be 'pearson' or 'spearman', not {method!r}")
    every = np.corrcoef(factors, codes, rowvar=False)
    found = np.abs(every[:factors.shape[1], factors.shape[1]:])
    return np.nan_to_num(found)  # a constant code dimension correlates with nothing


def mcc(factors: np.ndarray, codes: np.ndarray, method: str = "pearson") -> float:
    """Mean |correlation| of factors and code dimensions matched one to one by the Hungarian
    algorithm (scipy's linear_sum_assignment): 1 for a permuted, rescaled copy of the factors."""
    correlations = _correlations(np.asarray(factors, float), np.asarray(codes, float), method)
    rows, columns = needs("scipy.optimize").linear_sum_assignment(-correlations)
    return float(correlations[rows, columns].mean())


def _importances(x_train: np.ndarray, y_train: np.ndarray, categorical: bool,
                 seed: int) -> tuple[np.ndarray, Callable[[np.ndarray, np.ndarray], float]]:
    """Gradient-boosted trees for one factor (disentanglement_lib's DCI estimator): each code
    dimension's importance, and the fitted model's held-out score."""
    ensemble = needs("sklearn.ensemble")
    model = (ensemble.GradientBoostingClassifier if categorical
             else ensemble.GradientBoostingRegressor)(random_state=seed)
    model.fit(x_train, y_train)
    return np.asarray(model.feature_importances_), model.score


def dci(x_train: np.ndarray, factors_train: np.ndarray, x_test: np.ndarray,
        factors_test: np.ndarray, categorical: tuple[bool, ...] | None = None,
        seed: int = 0) -> dict[str, Any]:
    """Disentanglement, completeness and informativeness (Eastwood and Williams 2018), as
    disentanglement_lib computes them from gradient-boosted trees' importances; informativeness
    is each factor's held-out R² (accuracy for a categorical one), averaged."""
    entropy = needs("scipy.stats").entropy
    n_codes, n_factors = x_train.shape[1], factors_train.shape[1]
    kinds = categorical or (False,) * n_factors
    importance = np.zeros((n_codes, n_factors))
    informative = []
    for k in range(n_factors):
        found, score = _importances(x_train, factors_train[:, k], kinds[k], seed)
        importance[:, k] = np.abs(found)
        informative.append(float(score(x_test, factors_test[:, k])))
    total = importance.sum() or 1.0
    per_code = 1.0 - entropy(importance.T + 1e-11, base=max(n_factors, 2))
    per_factor = 1.0 - entropy(importance + 1e-11, base=max(n_codes, 2))
    disentanglement = float(np.sum(per_code * importance.sum(axis=1) / total))
    completeness = float(np.sum(per_factor * importance.sum(axis=0) / total))
    return {"disentanglement": disentanglement, "completeness": completeness,
            "informativeness": float(np.mean(informative)), "importance": importance.tolist()}
