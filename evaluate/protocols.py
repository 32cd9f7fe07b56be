"""The papers' training protocols for `baseline`, by name: which encoders, loss, optimiser
settings, length and readout each paper's script used, so that a figure can be compared with
the paper's. Plain Python (no torch): `--help` and the settings stay quick.

- identbox: IdentBox's CPU baseline (a 4-layer convolutional encoder per view, symmetric
  InfoNCE with a learned temperature, Adam 1e-3, 10 epochs).
- daunhawer2023: Daunhawer et al. 2023, "Identifiability results for multimodal contrastive
  learning" (multimodal-contrastive-learning, main_imgtxt.py): ResNet-18 to 100 units, a leaky
  ReLU and a linear map to a code of 4 for images, TextEncoder2D for text, symmetric InfoNCE
  with cosine similarity and tau = 1, gradient norm clipped at 2, Adam 1e-5, batch 256,
  100,001 steps; discrete factors read by logistic regression and an MLP classifier.
- vonkuegelgen2021: von Kuegelgen et al. 2021, "Self-supervised learning with data
  augmentations provably isolates content from style" (ssl_identifiability, main_3dident.py):
  one ResNet-18 (to 100 units, leaky ReLU, linear to 9) shared by both views, the NT-Xent loss
  (the other view's and the own view's codes as negatives) with tau = 1, Adam 1e-4, batch 512,
  100,001 steps, random resized crops with flips and colour distortion.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import SettingsError


@dataclass(frozen=True)
class TrainingProtocol:
    """How one paper trained and read out its contrastive encoders."""

    name: str
    image_encoder: str  # "conv4" (IdentBox's) or "resnet18"
    hidden: int  # the ResNet's output units before the linear map to the code (0: none)
    text_encoder: str  # "conv1d" (IdentBox's) or "conv2d" (the paper's TextEncoder2D)
    shared_encoder: bool  # one encoder for both views (image pairs alone)
    loss: str  # "infonce" (across views) or "nt_xent" (also the own view's negatives)
    epochs: int
    steps: int  # training steps (0: `epochs` passes)
    batch_size: int
    code_size: int  # 0: the content factors that vary, plus 2
    learning_rate: float
    temperature: float  # 0: learned from 0.1
    clip_norm: float  # the gradient's largest norm (0: not clipped)
    augmentations: tuple[str, ...]  # of "crop" (random resized, with flips) and "colour"
    classifier: str  # the nonlinear readout of a categorical factor: "svc" or "mlp"


PROTOCOLS: dict[str, TrainingProtocol] = {p.name: p for p in (
    TrainingProtocol("identbox", "conv4", 0, "conv1d", False, "infonce", 10, 0, 256, 0, 1e-3,
                     0.0, 0.0, (), "svc"),
    TrainingProtocol("daunhawer2023", "resnet18", 100, "conv2d", False, "infonce", 0, 100_001,
                     256, 4, 1e-5, 1.0, 2.0, (), "mlp"),
    TrainingProtocol("vonkuegelgen2021", "resnet18", 100, "conv1d", True, "nt_xent", 0,
                     100_001, 512, 9, 1e-4, 1.0, 0.0, ("crop", "colour"), "svc"),
)}
DEFAULT_PROTOCOL = "identbox"


def protocol_named(name: str) -> TrainingProtocol:
    """The protocol of that name; SettingsError in one line naming the known ones."""
    if name not in PROTOCOLS:
        raise SettingsError("protocol", name, "one of " + ", ".join(PROTOCOLS))
    return PROTOCOLS[name]
