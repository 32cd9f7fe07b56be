"""The data's ceiling: how well each factor can be read from one view's images at all, so that
a low score can be told apart as the model's or the pixels'. A small supervised network (the
baseline's image encoder, one output per target) learns every factor of the view from the
images of the pairs the readouts fit on (a tenth of them kept apart to stop each factor at its
best epoch), and is scored on the held-out pairs as the representation is: R² (a hue's or an
angle's on the circle), accuracy for a categorical factor. None of the original toolboxes
offers this; torch does the learning."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..console import progress
from ..dataset.loading.loader import IdentBoxPairs
from ..errors import SettingsError
from . import metrics
from .encoders import as_input, image_encoder, torch_module
from .options import CEILING_EPOCHS

BATCH = 64
LEARNING_RATE = 1e-3


def _targets(factor: Any, fit: np.ndarray) -> tuple[np.ndarray, Any]:
    """What the probe learns of one factor (rows x columns, standardised on the fit rows) and
    how its outputs turn back: the classes of a categorical factor (one-hot), (cos, sin) of a
    hue or angle, else the value."""
    if factor.categorical:
        classes = np.unique(factor.values[fit])
        return (factor.values[:, None] == classes[None, :]).astype(np.float64), classes
    values = factor.on_circle() if factor.turn is not None else factor.values.reshape(
        len(factor.values), -1)
    mean, spread = values[fit].mean(axis=0), values[fit].std(axis=0) + 1e-12
    return (values - mean) / spread, (mean, spread)


def _outputs(torch: Any, model: Any, images: np.ndarray) -> np.ndarray:
    """The model's outputs for images, in evaluation mode."""
    model.eval()
    with torch.no_grad():
        found = np.concatenate([model(as_input(torch, images[k:k + 256])).numpy()
                                for k in range(0, len(images), 256)]).astype(np.float64)
    model.train()
    return found


def _score(factor: Any, target: np.ndarray, back: Any, predicted: np.ndarray) -> float:
    """One factor's score of predictions: accuracy of a categorical one, else R²."""
    if factor.categorical:
        return metrics.accuracy(factor.values, back[np.argmax(predicted, axis=1)])
    return metrics.r2(target, predicted)


def _train(images: np.ndarray, factors: Sequence[Any], parts: list[tuple[np.ndarray, Any]],
           fit: np.ndarray, test: np.ndarray, epochs: int, seed: int,
           log: Callable[[str], None]) -> dict[str, float]:
    """Fit the probe on nine tenths of the fit rows; after each epoch, score every factor on
    the other tenth, and keep each factor's held-out score of its best epoch (early stopping
    per factor: a factor the pixels do not carry scores about 0, not what overfitting does)."""
    torch = torch_module()
    torch.manual_seed(seed)
    targets = np.concatenate([p[0] for p in parts], axis=1)
    model = image_encoder(targets.shape[1])
    optimiser = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    wanted = torch.from_numpy(targets.astype(np.float32))
    rng = np.random.default_rng(seed)
    shuffled = fit[rng.permutation(len(fit))]
    tenth = max(1, len(fit) // 10)
    check, learn = shuffled[:tenth], shuffled[tenth:]
    columns = np.cumsum([0] + [p[0].shape[1] for p in parts])
    best: dict[str, tuple[float, float]] = {}  # factor: (checked score, held-out score)
    model.train()
    for _ in progress(range(epochs), "ceiling: train", "epochs", log):
        order = learn[rng.permutation(len(learn))]
        for start in range(0, len(order), BATCH):
            batch = order[start:start + BATCH]
            loss = torch.nn.functional.mse_loss(model(as_input(torch, images[batch])),
                                                wanted[batch])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
        checked, held = _outputs(torch, model, images[check]), _outputs(torch, model,
                                                                       images[test])
        for k, (factor, (target, back)) in enumerate(zip(factors, parts, strict=True)):
            which = slice(columns[k], columns[k + 1])
            now = _score(factor.at(check), target[check], back, checked[:, which])
            if factor.name not in best or now > best[factor.name][0]:
                best[factor.name] = (now, _score(factor.at(test), target[test], back,
                                                 held[:, which]))
    return {name: score for name, (_, score) in best.items()}


def ceiling_scores(root: Path, view: int, factors: Sequence[Any], pairs: np.ndarray,
                   fit: np.ndarray, test: np.ndarray, epochs: int = CEILING_EPOCHS.default,
                   seed: int = 0, log: Callable[[str], None] = print) -> dict[str, float]:
    """Per factor, the held-out score of the supervised probe: `factors` hold their values at
    `pairs` (pair indices), `fit` and `test` are positions in `pairs`. A hue or an angle is
    scored on the circle, a categorical factor by accuracy."""
    CEILING_EPOCHS.check(epochs)
    data = IdentBoxPairs(root, tensors=False, text="ids")
    if view in data.text_views:
        raise SettingsError("ceiling", f"view {view}", "an image view: the probe reads images")
    images = np.stack([data.views(int(index))[0][view - 1]
                       for index in progress(pairs, "ceiling: load", "pairs", log)])
    parts = [_targets(factor, fit) for factor in factors]
    return _train(images, factors, parts, fit, test, epochs, seed, log)
