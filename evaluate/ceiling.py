"""The data's ceiling: how well each factor can be read from one view's images at all, so that
a low score can be told apart as the model's or the pixels'. A small supervised network (the
baseline's image encoder, one output per target) learns every factor of the view from the
images of the pairs the readouts fit on, and is scored on the held-out pairs as the
representation is: R² (a hue's or an angle's also on the circle), accuracy for a categorical
factor. None of the original toolboxes offers this; torch does the learning."""

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


def _train(images: np.ndarray, targets: np.ndarray, fit: np.ndarray, epochs: int, seed: int,
           log: Callable[[str], None]) -> np.ndarray:
    """Fit the probe on the fit rows; its outputs for every row."""
    torch = torch_module()
    torch.manual_seed(seed)
    model = image_encoder(targets.shape[1])
    optimiser = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    wanted = torch.from_numpy(targets.astype(np.float32))
    rng = np.random.default_rng(seed)
    model.train()
    for _ in progress(range(epochs), "ceiling: train", "epochs", log):
        order = fit[rng.permutation(len(fit))]
        for start in range(0, len(order), BATCH):
            batch = order[start:start + BATCH]
            loss = torch.nn.functional.mse_loss(model(as_input(torch, images[batch])),
                                                wanted[batch])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
    model.eval()
    with torch.no_grad():
        return np.concatenate([model(as_input(torch, images[k:k + 256])).numpy()
                               for k in range(0, len(images), 256)]).astype(np.float64)


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
    outputs = _train(images, np.concatenate([p[0] for p in parts], axis=1), fit, epochs, seed,
                     log)
    found, column = {}, 0
    for factor, (target, back) in zip(factors, parts, strict=True):
        width = target.shape[1]
        predicted = outputs[test, column:column + width]
        column += width
        if factor.categorical:
            found[factor.name] = metrics.accuracy(factor.values[test],
                                                  back[np.argmax(predicted, axis=1)])
        else:
            found[factor.name] = metrics.r2(target[test], predicted)
    return found

