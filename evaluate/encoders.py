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


def as_input(torch: Any, batch: np.ndarray, augmentations: tuple[str, ...] = (),
             generator: Any = None) -> Any:
    """A batch of images as normalised float CHW tensors, augmented if asked (see
    augmented); token ids as they are."""
    if batch.dtype != np.uint8:
        return torch.from_numpy(batch)
    if not augmentations:
        images = (batch.astype(np.float32) / 255.0 - MEAN) / STD
        return torch.from_numpy(np.ascontiguousarray(images.transpose(0, 3, 1, 2)))
    plain = torch.from_numpy(np.ascontiguousarray(
        batch.astype(np.float32).transpose(0, 3, 1, 2) / 255.0))
    shown = augmented(torch, plain, augmentations, generator)
    return (shown - torch.from_numpy(MEAN).view(1, 3, 1, 1)) / torch.from_numpy(STD).view(
        1, 3, 1, 1)


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


def resnet18(outputs: int) -> Any:
    """ResNet-18 (He et al. 2016) as torchvision builds it (a 7 x 7 stem, four stages of two
    basic blocks, 64 to 512 channels, average pooling, a linear layer to `outputs`), untrained:
    the papers' image encoder. Written here because torchvision's wheel does not import beside
    the CPU build of torch these machines install."""
    torch = torch_module()
    nn = torch.nn

    class Block(nn.Module):  # type: ignore[name-defined]
        def __init__(self, into: int, out: int, stride: int) -> None:
            super().__init__()
            self.path = nn.Sequential(
                nn.Conv2d(into, out, 3, stride, 1, bias=False), nn.BatchNorm2d(out),
                nn.ReLU(inplace=True), nn.Conv2d(out, out, 3, 1, 1, bias=False),
                nn.BatchNorm2d(out))
            self.skip = nn.Identity() if stride == 1 and into == out else nn.Sequential(
                nn.Conv2d(into, out, 1, stride, bias=False), nn.BatchNorm2d(out))

        def forward(self, x: Any) -> Any:
            return torch.relu(self.path(x) + self.skip(x))

    layers: list[Any] = [nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64),
                         nn.ReLU(inplace=True), nn.MaxPool2d(3, 2, 1)]
    into = 64
    for out, stride in ((64, 1), (128, 2), (256, 2), (512, 2)):
        layers += [Block(into, out, stride), Block(out, out, 1)]
        into = out
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(512, outputs))


def text_encoder_2d(code_size: int, vocabulary: int, embedding: int = 128,
                    width: int = 25) -> Any:
    """Token ids (batch, length) to codes: Daunhawer et al.'s TextEncoder2D (one-hot words, a
    linear embedding of 128, three 4 x 4 stride-2 convolutions with batch norm over the
    (length x embedding) plane, a linear layer). Theirs took sentences of 24 to 31 words to a
    3 x 16 plane; an adaptive pooling makes any length give that plane."""
    torch = torch_module()
    nn = torch.nn

    class Text2D(nn.Module):  # type: ignore[name-defined]
        def __init__(self) -> None:
            super().__init__()
            self.embed = nn.Linear(vocabulary, embedding)
            stages: list[Any] = []
            channels = 1
            for out in (width, 2 * width, 4 * width):
                stages += [nn.Conv2d(channels, out, 4, 2, 1), nn.BatchNorm2d(out),
                           nn.ReLU(inplace=True)]
                channels = out
            self.convolve = nn.Sequential(*stages, nn.AdaptiveAvgPool2d((3, 16)))
            self.head = nn.Linear(channels * 3 * 16, code_size)

        def forward(self, ids: Any) -> Any:
            words = torch.nn.functional.one_hot(ids, vocabulary).float()
            plane = self.convolve(self.embed(words).unsqueeze(1))
            return self.head(plane.flatten(1))

    return Text2D()


def protocol_encoder(protocol: Any, code_size: int, vocabulary: int | None = None) -> Any:
    """A protocol's encoder of one view (evaluate/protocols.py): text when `vocabulary` is
    given, else images."""
    nn = torch_module().nn
    if vocabulary is not None:
        if protocol.text_encoder == "conv2d":
            return text_encoder_2d(code_size, vocabulary)
        return text_encoder(code_size, vocabulary)
    if protocol.image_encoder == "resnet18":
        return nn.Sequential(resnet18(protocol.hidden), nn.LeakyReLU(),
                             nn.Linear(protocol.hidden, code_size))
    return image_encoder(code_size)


def augmented(torch: Any, images: Any, kinds: tuple[str, ...], generator: Any) -> Any:
    """A batch of images in [0, 1] (batch, 3, H, W) with the protocol's augmentations: "crop",
    a random resized crop (area 8% to 100%, aspect 3/4 to 4/3) flipped left-right half the
    time; "colour", with probability 0.8 a jitter of brightness, contrast and saturation by
    factors in [0.2, 1.8] (SimCLR's strength 1; no hue shift), and grey with probability 0.2."""
    n = images.shape[0]

    def uniform(low: float, high: float) -> Any:
        return low + (high - low) * torch.rand(n, generator=generator)

    if "crop" in kinds:
        area = uniform(0.08, 1.0)
        aspect = torch.exp(uniform(float(np.log(3 / 4)), float(np.log(4 / 3))))
        width, height = (area * aspect).sqrt().clamp(max=1.0), (area / aspect).sqrt().clamp(
            max=1.0)
        flip = torch.where(torch.rand(n, generator=generator) < 0.5, -1.0, 1.0)
        theta = torch.zeros(n, 2, 3)
        theta[:, 0, 0], theta[:, 1, 1] = width * flip, height
        theta[:, 0, 2] = (1 - width) * (2 * torch.rand(n, generator=generator) - 1)
        theta[:, 1, 2] = (1 - height) * (2 * torch.rand(n, generator=generator) - 1)
        grid = torch.nn.functional.affine_grid(theta, list(images.shape), align_corners=False)
        images = torch.nn.functional.grid_sample(images, grid, align_corners=False)
    if "colour" in kinds:
        shape = (n, 1, 1, 1)
        jitter = (torch.rand(n, generator=generator) < 0.8).float().view(shape)

        def factor() -> Any:
            return 1 + jitter * (uniform(0.2, 1.8).view(shape) - 1)

        grey = (images * torch.tensor([0.299, 0.587, 0.114]).view(1, 3, 1, 1)).sum(
            1, keepdim=True)
        images = images * factor()
        images = (images - grey.mean((2, 3), keepdim=True)) * factor() + grey.mean(
            (2, 3), keepdim=True)
        images = (images - grey) * factor() + grey
        to_grey = (torch.rand(n, generator=generator) < 0.2).view(shape)
        images = torch.where(to_grey, grey.expand_as(images), images)
    return images.clamp(0.0, 1.0)
