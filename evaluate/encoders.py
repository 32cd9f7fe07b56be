"""The baseline's encoders (torch): a small residual convolutional network for images, as the
ICLR 2023 paper's ResNet scaled to benchmark resolutions, and a convolution over word embeddings
for a text view's token ids, as its text encoder. Both end in a linear layer to the code."""

from __future__ import annotations

from typing import Any

from .metrics import needs

EXTRA = "baseline"  # the pip extra that brings torch


def torch_module() -> Any:
    """torch, or ImportError in one line naming the extra that brings it."""
    return needs("torch", EXTRA)


def _residual_block(nn: Any, channels: int) -> Any:
    """Two 3 x 3 convolutions whose output is added to their input (a ResNet basic block)."""

    class Residual(nn.Module):  # type: ignore[misc,name-defined]
        def __init__(self) -> None:
            super().__init__()
            self.body = nn.Sequential(
                nn.Conv2d(channels, channels, 3, padding=1, bias=False),
                nn.BatchNorm2d(channels), nn.ReLU(),
                nn.Conv2d(channels, channels, 3, padding=1, bias=False),
                nn.BatchNorm2d(channels))
            self.out = nn.ReLU()

        def forward(self, x: Any) -> Any:
            return self.out(x + self.body(x))

    return Residual()


def image_encoder(code_size: int, width: int = 32) -> Any:
    """Images (batch, 3, H, W) to codes (batch, code_size): three stride-2 stages with a
    residual block each, global average pooling, then two linear layers."""
    nn = torch_module().nn
    layers: list[Any] = []
    channels = 3
    for stage in range(3):
        out = width * 2 ** stage
        layers += [nn.Conv2d(channels, out, 3, stride=2, padding=1, bias=False),
                   nn.BatchNorm2d(out), nn.ReLU(), _residual_block(nn, out)]
        channels = out
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                         nn.Linear(channels, 4 * width), nn.ReLU(),
                         nn.Linear(4 * width, code_size))


def text_encoder(code_size: int, vocabulary: int, width: int = 64) -> Any:
    """Token ids (batch, length) to codes (batch, code_size): embeddings, two 1-D
    convolutions, max pooling over the words, then a linear layer."""
    torch = torch_module()
    nn = torch.nn

    class Text(nn.Module):  # type: ignore[misc,name-defined]
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
