"""The ICLR 2023 paper's baseline (Daunhawer et al., "Identifiability results for multimodal
contrastive learning"): one encoder per view, trained with a symmetric InfoNCE loss on a
dataset's pairs (image/image, or image/text where a view is text), then the held-out pairs'
codes of the first view scored by `evaluate`. Its claim: the content blocks are recovered,
style and view-specific ones are not. torch is imported only here and in encoders.py."""

from __future__ import annotations

import dataclasses
import itertools
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..console import progress
from ..dataset.files.manifest import read_manifest
from ..dataset.loading.loader import IdentBoxPairs
from ..errors import DatasetError, SettingsError
from ..sampling.blocks import CONTENT, SHARED
from . import encoders
from .encoders import as_input
from .metrics import KERNEL_ROWS, held_out_count, split_rows
from .options import BaselineOptions
from .protocols import TrainingProtocol, protocol_named
from .report import MIN_HELD_OUT, Report, evaluate, view_factors


@dataclass
class BaselineResult:
    """The held-out report, the codes it scored, and what training took."""

    report: Report
    codes: np.ndarray  # (held-out pairs, code size): the first view's codes
    held_out: np.ndarray  # their pair indices
    losses: list[float]  # the mean loss of each epoch
    seconds: float  # training and encoding, without loading the images


def _load(pairs: IdentBoxPairs, views: tuple[int, int], rows: np.ndarray,
          log: Callable[[str], None]) -> list[np.ndarray]:
    """Every chosen pair's x of both views, stacked: uint8 images or int64 token ids."""
    found: list[list[Any]] = [[], []]
    for index in progress(rows, "baseline: load", "pairs", log):
        xs, _ = pairs.views(int(index))
        for k, view in enumerate(views):
            found[k].append(xs[view - 1])
    return [np.stack(x) for x in found]


def _encoders(pairs: IdentBoxPairs, views: tuple[int, int], code_size: int,
              protocol: TrainingProtocol) -> list[Any]:
    """The protocol's encoder of each view (one shared by two image views if it says so)."""
    def one(view: int) -> Any:
        vocabulary = pairs.vocabulary if view in pairs.text_views else None
        return encoders.protocol_encoder(protocol, code_size,
                                         None if vocabulary is None else len(vocabulary))
    if protocol.shared_encoder and not set(views) & set(pairs.text_views):
        shared = one(views[0])
        return [shared, shared]
    return [one(view) for view in views]


def _code_size(root: Path, view: int, asked: int) -> int:
    """The code size asked, or the number of content (shared) factors that vary in the view,
    plus 2."""
    if asked:
        return asked
    factors, _ = view_factors(root, read_manifest(root / "manifest.json"), view)
    return sum(f.block_type in (CONTENT, SHARED) for f in factors) + 2


def _enough(n: int, test_fraction: float) -> bool:
    """Whether n pairs leave enough to train (and fit the readouts) on and to score."""
    held = held_out_count(n, test_fraction)
    return min(n - held, held) >= MIN_HELD_OUT


def check_enough_pairs(root: Path, n: int, test_fraction: float) -> None:
    """DatasetError, before any training, when the dataset has too few pairs to score."""
    if not _enough(n, test_fraction):
        fewest = next(k for k in itertools.count(n + 1) if _enough(k, test_fraction))
        raise DatasetError(f"{root} has {n} pairs: too few for the baseline, which holds out "
                           f"{held_out_count(n, test_fraction)} to score and fits the readouts "
                           f"on the codes of the others ({MIN_HELD_OUT} of each): at least "
                           f"{fewest} pairs")


def info_nce(torch: Any, first: Any, second: Any, log_scale: Any) -> Any:
    """Symmetric InfoNCE over a batch: cosine similarities scaled by 1 / temperature, each
    view's code to pick its own pair's code of the other view among the batch's."""
    nn = torch.nn.functional
    logits = nn.normalize(first, dim=1) @ nn.normalize(second, dim=1).T * log_scale.exp()
    labels = torch.arange(len(first))
    return (nn.cross_entropy(logits, labels) + nn.cross_entropy(logits.T, labels)) / 2


def nt_xent(torch: Any, first: Any, second: Any, log_scale: Any) -> Any:
    """NT-Xent (SimCLR's, as von Kuegelgen et al. train): each code picks its pair's code of
    the other view among every other code of the batch, of both views."""
    nn = torch.nn.functional
    one, two = nn.normalize(first, dim=1), nn.normalize(second, dim=1)
    scale = log_scale.exp()
    across, within_one, within_two = one @ two.T * scale, one @ one.T * scale, two @ two.T * scale
    size = len(first)
    itself = torch.eye(size, dtype=torch.bool)
    within_one = within_one.masked_fill(itself, float("-inf"))
    within_two = within_two.masked_fill(itself, float("-inf"))
    logits = torch.cat([torch.cat([across, within_one], dim=1),
                        torch.cat([within_two, across.T], dim=1)])
    return nn.cross_entropy(logits, torch.arange(2 * size))


LOSSES = {"infonce": info_nce, "nt_xent": nt_xent}


def train_baseline(root: Path | str, options: BaselineOptions | None = None,
                   log: Callable[[str], None] = print,
                   ceiling_epochs: int = 0) -> BaselineResult:
    """Train the two encoders on the training pairs, encode the held-out ones and score the
    first view's codes against its factors (with the data's ceiling beside them when
    `ceiling_epochs` asks: evaluate/ceiling.py)."""
    torch = encoders.torch_module()
    options = options or BaselineOptions()
    root = Path(root)
    pairs = IdentBoxPairs(root, tensors=False, text="ids")
    for view in options.views:
        if not 1 <= view <= pairs.n_views:
            raise SettingsError("views", list(options.views),
                                f"views of the dataset, 1 to {pairs.n_views}")
    check_enough_pairs(root, len(pairs), options.test_fraction)
    train, held_out = split_rows(len(pairs), options.test_fraction, options.seed)
    if len(train) < options.batch_size:
        options = dataclasses.replace(options, batch_size=max(2, len(train)))
    first, second = _load(pairs, options.views, train, log)
    torch.manual_seed(options.seed)
    code_size = _code_size(root, options.views[0], options.code_size)
    protocol = protocol_named(options.protocol)
    models = _encoders(pairs, options.views, code_size, protocol)
    fixed = options.temperature > 0
    log_scale = torch.tensor(math.log(1 / (options.temperature if fixed else 0.1)),
                             requires_grad=not fixed)
    parameters = list({id(p): p for m in models for p in m.parameters()}.values()) + (
        [] if fixed else [log_scale])
    optimiser = torch.optim.Adam(parameters, lr=options.learning_rate)
    loss_of = LOSSES[protocol.loss]
    rng = np.random.default_rng(options.seed)
    generator = torch.Generator().manual_seed(options.seed)  # the augmentations' draws
    per_epoch = len(train) // options.batch_size
    total_steps = options.steps or options.epochs * per_epoch
    started = time.perf_counter()
    losses: list[float] = []
    for model in models:
        model.train()

    def view_input(x: np.ndarray) -> Any:
        return as_input(torch, x, protocol.augmentations, generator)

    for epoch in progress(range(math.ceil(total_steps / per_epoch)), "baseline: train",
                          "epochs", log, lambda: f"loss {losses[-1]:.3f}" if losses else ""):
        order, total = rng.permutation(len(train)), 0.0
        steps = min(per_epoch, total_steps - epoch * per_epoch)
        for step in range(steps):
            batch = order[step * options.batch_size:(step + 1) * options.batch_size]
            loss = loss_of(torch, models[0](view_input(first[batch])),
                           models[1](view_input(second[batch])), log_scale)
            optimiser.zero_grad()
            loss.backward()
            if protocol.clip_norm:
                torch.nn.utils.clip_grad_norm_(parameters, protocol.clip_norm)
            optimiser.step()
            with torch.no_grad():
                log_scale.clamp_(0.0, math.log(100.0))
            total += loss.item()
        losses.append(total / steps)
    codes = encode(models[0], _load(pairs, options.views, held_out, log)[0], options.batch_size)
    # The readouts fit on the training pairs' codes (a seeded KERNEL_ROWS of them at most) and
    # score every held-out pair, as the papers fit on one split and score another.
    fitted = np.sort(rng.permutation(len(train))[:KERNEL_ROWS])
    fit_codes = encode(models[0], first[fitted], options.batch_size)
    seconds = time.perf_counter() - started
    report = evaluate(root, codes, view=options.views[0], rows=held_out, seed=options.seed,
                      fit_on=(fit_codes, train[fitted]), classifier=protocol.classifier,
                      ceiling_epochs=ceiling_epochs, log=log)
    return BaselineResult(report, codes, held_out, losses, seconds)


def encode(model: Any, inputs: np.ndarray, batch_size: int = 256) -> np.ndarray:
    """A trained encoder's codes of `inputs` (images or token ids), in evaluation mode."""
    torch = encoders.torch_module()
    model.eval()
    with torch.no_grad():
        return np.concatenate([model(as_input(torch, inputs[k:k + batch_size])).numpy()
                               for k in range(0, len(inputs), batch_size)]).astype(np.float64)
