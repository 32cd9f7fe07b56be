"""Loaders for PyTorch (or plain numpy): pairs, sequences, exported pairs, and the
text views' tokens. They import torch where it is installed, so they are imported when used."""
