"""The baseline's settings: each one's range and text defined once, for the command line and
the training function alike; plain Python (no torch), so `--help` stays quick."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import SettingsError
from ..limits import Limit

EPOCHS = Limit("epochs", "Epochs", "passes over the training pairs", 10, 1, 10_000)
BATCH_SIZE = Limit("batch_size", "Batch Size", "pairs per step (the negatives of InfoNCE)",
                   256, 2, 65_536)
CODE_SIZE = Limit("code_size", "Code Size", "size of each encoder's output (0: the number of "
                  "content factors, plus 2)", 0, 0, 4096)
LEARNING_RATE = Limit("learning_rate", "Learning Rate", "Adam's step size", 1e-3, 1e-7, 1.0)
TEMPERATURE = Limit("temperature", "Temperature", "InfoNCE temperature (0: learned, from 0.1)",
                    0.0, 0.0, 100.0)
CEILING_EPOCHS = Limit("ceiling_epochs", "Ceiling Epochs", "passes of the supervised probe "
                       "over the images it learns from", 30, 1, 10_000)
# scikit-learn's random_state takes seeds of 32 bits; numpy's and torch's would take more.
SEED = Limit("seed", "Seed", "seed of the split, the weights and the batches", 0, 0, 2**32 - 1)


@dataclass(frozen=True)
class BaselineOptions:
    """How the baseline trains: views to pair, epochs, batch, code size, step, temperature."""

    views: tuple[int, int] = (1, 2)
    epochs: int = EPOCHS.default
    batch_size: int = BATCH_SIZE.default
    code_size: int = CODE_SIZE.default
    learning_rate: float = LEARNING_RATE.default
    temperature: float = TEMPERATURE.default
    test_fraction: float = 0.2
    seed: int = 0

    def __post_init__(self) -> None:
        for spec in (EPOCHS, BATCH_SIZE, CODE_SIZE, LEARNING_RATE, TEMPERATURE, SEED):
            spec.check(getattr(self, spec.name))
        if len(self.views) != 2 or self.views[0] == self.views[1]:
            raise SettingsError("views", list(self.views), "two different views, e.g. 1 2")
