"""The baseline's settings: each one's range and text defined once, for the command line and
the training function alike; plain Python (no torch), so `--help` stays quick."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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
STEPS = Limit("steps", "Steps", "training steps, one batch each (0: the epochs decide)", 0, 0,
              10_000_000)
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
    protocol: str = "identbox"  # the encoders, loss and readout (evaluate/protocols.py)
    steps: int = STEPS.default

    def __post_init__(self) -> None:
        from .protocols import protocol_named

        protocol_named(self.protocol)
        for spec in (EPOCHS, BATCH_SIZE, CODE_SIZE, LEARNING_RATE, TEMPERATURE, SEED, STEPS):
            spec.check(getattr(self, spec.name))
        if len(self.views) != 2 or self.views[0] == self.views[1]:
            raise SettingsError("views", list(self.views), "two different views, e.g. 1 2")


def options_for(protocol: str = "identbox", **given: Any) -> BaselineOptions:
    """A protocol's options (evaluate/protocols.py), each one given (not None) instead of its
    value: e.g. `options_for("daunhawer2023", steps=200)` for a short run of the paper's."""
    from .protocols import protocol_named

    chosen = protocol_named(protocol)
    values: dict[str, Any] = {
        "epochs": chosen.epochs or EPOCHS.default, "steps": chosen.steps,
        "batch_size": chosen.batch_size, "code_size": chosen.code_size,
        "learning_rate": chosen.learning_rate, "temperature": chosen.temperature}
    values.update({name: value for name, value in given.items() if value is not None})
    if given.get("epochs") is not None and given.get("steps") is None:
        values["steps"] = 0  # epochs asked for: they decide the length
    return BaselineOptions(protocol=protocol, **values)
