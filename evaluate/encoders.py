"""The baseline's encoders (torch): a small convolutional network for images (the paper's
ResNet, scaled to a CPU and to benchmark resolutions), and a convolution over word embeddings
for a text view's token ids, as its text encoder. Both end in a linear layer to the code."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..dataset.loading.loader import MEAN, STD
from .metrics import needs

EXTRA = "baseline"  # the pip extra that brings torch


def torch_module() -> Any:
    """torch, or ImportError in one line naming the extra that brings it."""
    return needs("torch", EXTRA)


def as_input(torch: Any, batch: np.ndarray) -> Any:
    """A batch of images as normalised float CHW tensors; token ids as they are."""
    if batch.dtype != np.uint8:
        return torch.from_numpy(batch)
    images = (batch.astype(np.float32) / 255.0 - MEAN) / STD
    return torch.from_numpy(np.ascontiguousarray(images.transpose(0, 3, 1, 2)))


def image_encoder(code_size: int, width: int = 32) -> Any:
    """Images (batch, 3, H, W) to codes (batch, code_size): four 4 x 4 stride-2 convolutions
    (disentanglement_lib's convolutional encoder), pooled to 2 x 2, then two linear layers.
    A ResNet-18 as the paper's took four times as long per step on two CPU cores."""
    nn = torch_module().nn
    layers: list[Any] = []
    channels = 3
    for out in (width, width, 2 * width, 2 * width):
        layers += [nn.Conv2d(channels, out, 4, stride=2, padding=1), nn.ReLU()]
        channels = out
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(2), nn.Flatten(),
                         nn.Linear(4 * channels, 256), nn.ReLU(), nn.Linear(256, code_size))


def text_encoder(code_size: int, vocabulary: int, width: int = 64) -> Any:
    """Token ids (batch, length) to codes (batch, code_size): embeddings, two 1-D
    convolutions, max pooling over the words, then a linear layer."""
    torch = torch_module()
    nn = torch.nn

    class Text(nn.Module):  # type: ignore[name-defined]
        def __init__(self) -> None:
            super().__init__()
            self.embed = nn.Embedding(vocabulary, width)
            self.convolve = nn.Sequential(nn.Conv1d(width, width, 3, padding=1), nn.ReLU(),
                                          nn.Conv1d(width, width, 3, padding=1), nn.ReLU())
            self.head = nn.Sequential(nn.Linear(width, width), nn.ReLU(),
                                      nn.Linear(width, code_size))

        def forward(self, ids: Any) -> Any:
            words = self.convolve(self.embed(ids).transpose(1, 2))
            return self.head(words.max(dim=2).values)

    return Text()
