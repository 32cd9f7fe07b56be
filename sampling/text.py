"""Text views: one sentence per sample from the latents of that view, as plain Python.

What a sentence describes is chosen by words (TEXT_WORDS): the object's shape, its colour (a
colour name from a palette drawn per sample, as Multimodal3DIdent names colours), its position
(the cell of a 3 x 3 grid over the image that its centre falls in, or the cell its latents name
where positions are grid cells, as Multimodal3DIdent's), and, so that style can reach the text
too, the ground's and the spotlight's colours. A template (one of the view's list, drawn per
sample: the phrasing factor) puts the words into a sentence. Every draw has its own
random stream, keyed by the seed, the view and the draw, so adding a text view changes no other
file, and the words' values (palette, colour index, grid cells, phrasing) are written beside
the sentences, to evaluate a text encoder per factor.
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from ..model.colour_names import PALETTES, colour_names

# The five templates of Multimodal3DIdent, verbatim (reference multimodal3dident.md).
MULTIMODAL_TEMPLATES = (
    'A {SHAPE} of "{COLOR}" color is visible, positioned at the {YPOS}-{XPOS} of the image.',
    'A "{COLOR}" {SHAPE} is at the {YPOS}-{XPOS} of the image.',
    'The {YPOS}-{XPOS} of the image shows a "{COLOR}" colored {SHAPE}.',
    'At the {YPOS}-{XPOS} of the picture is a {SHAPE} in "{COLOR}" color.',
    'At the {YPOS}-{XPOS} of the image, there is a "{COLOR}" object in the form of a {SHAPE}.',
)
ROW_WORDS = ("top", "mid", "bottom")  # image rows of the grid, from the top
COLUMN_WORDS = ("left", "center", "right")

# Each word the text can describe, and the placeholders it fills.
TEXT_WORDS: dict[str, tuple[str, ...]] = {
    "shape": ("SHAPE",),
    "colour": ("COLOR",),
    "position": ("YPOS", "XPOS"),
    "ground_colour": ("GROUND",),
    "spot_colour": ("SPOT",),
}
COLOUR_WORDS = ("colour", "ground_colour", "spot_colour")
_STREAM_BASE = 96  # spawn keys (96, view, draw): apart from every other stream's


@dataclass(frozen=True)
class SceneWords:
    """What one view of N samples shows, as the words need it: shape names and their indices,
    hues in [0, 1) of the coloured things, and the object centre in pixels. `cells`: the grid
    (rows, columns) where a kind's latents hold them as such (Multimodal3DIdent's discrete
    positions); otherwise the position words come from the cell the centre falls in."""

    shapes: Sequence[str]
    shape_indices: np.ndarray
    hues: Mapping[str, np.ndarray]  # by colour word: 'colour', 'ground_colour', 'spot_colour'
    pixels: np.ndarray  # (N, 2): x right, y down, from the top-left corner
    resolution: int
    cells: tuple[np.ndarray, np.ndarray] | None = None  # (rows, columns), each 0, 1 or 2

    def grid(self) -> tuple[np.ndarray, np.ndarray]:
        """(row, column) of each sample's grid cell: the given cells, or the centre's."""
        if self.cells is not None:
            rows, columns = (np.asarray(c, dtype=np.int64) for c in self.cells)
            return rows, columns
        return grid_cells(self.pixels, self.resolution)


@dataclass(frozen=True)
class Sentences:
    """A text view's sentences and the words' factor values (one row per sample)."""

    lines: list[str]
    values: np.ndarray  # (N, columns) int64
    columns: tuple[str, ...]


def placeholders(template: str) -> set[str]:
    """The {NAMES} a template uses."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


SCENE_WORDS = ("ground_colour", "spot_colour")  # said once, whatever the number of objects
ORDERS = ("index", "left_to_right")
_SLOT_DRAWS = 16  # draw keys of object slot s: word + 16 s (slot 0: as one object)


def _word_columns(word: str) -> list[str]:
    if word == "shape":
        return ["shape"]
    if word == "position":
        return ["ypos", "xpos"]
    return [f"{word}_palette", f"{word}_index"]


def word_columns(describe: Sequence[str], n_objects: int = 1,
                 order: str = "index") -> tuple[str, ...]:
    """The columns of words.npy: each described word's values (per object slot, prefixed
    objectK_, and which object fills the slot when ordered left to right, where more than one
    object is described), then the phrasing."""
    if n_objects == 1:
        return (*(c for word in describe for c in _word_columns(word)), "phrasing")
    columns: list[str] = []
    for slot in range(1, n_objects + 1):
        if order == "left_to_right":
            columns.append(f"object{slot}_index")
        columns += [f"object{slot}_{c}" for word in describe if word not in SCENE_WORDS
                    for c in _word_columns(word)]
    columns += [c for word in describe if word in SCENE_WORDS for c in _word_columns(word)]
    return (*columns, "phrasing")


def grid_cells(pixels: np.ndarray, resolution: int) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) of the 3 x 3 grid cell each pixel falls in (clipped to the grid)."""
    cells = np.floor(np.asarray(pixels, dtype=np.float64) / resolution * 3).astype(np.int64)
    cells = np.clip(cells, 0, 2)
    return cells[:, 1], cells[:, 0]


def _stream(seed: int, view: int, draw: int) -> np.random.Generator:
    sequence = np.random.SeedSequence(seed, spawn_key=(_STREAM_BASE, view, draw))
    return np.random.Generator(np.random.PCG64(sequence))


def _slot_words(objects: Sequence[SceneWords], chosen: np.ndarray) -> SceneWords:
    """Per sample, the words of object chosen[i]."""
    rows = np.arange(len(chosen))
    first = objects[0]

    def pick(arrays: Sequence[np.ndarray]) -> np.ndarray:
        return np.stack([np.asarray(a) for a in arrays], axis=1)[rows, chosen]

    shapes = np.stack([np.asarray(o.shapes, dtype=object) for o in objects], axis=1)[rows, chosen]
    return SceneWords(list(shapes), pick([o.shape_indices for o in objects]),
                      {**first.hues, "colour": pick([o.hues["colour"] for o in objects])},
                      np.stack([o.pixels for o in objects], axis=1)[rows, chosen],
                      first.resolution)


def write_sentences(words: SceneWords | Sequence[SceneWords], describe: Sequence[str],
                    templates: Sequence[str], seed: int, view: int,
                    order: str = "index") -> Sentences:
    """The sentences of one text view (view numbered from 1) and their words' values. Given
    several objects' words, each object is said in turn (in object order, or left to right in
    the image), one clause a template, with one phrasing a sample; ground and spotlight words
    are the same in every clause."""
    if isinstance(words, SceneWords):
        return _sentences_of(words, describe, templates, seed, view)
    objects = list(words)
    n = len(objects[0].shape_indices)
    if order == "left_to_right":
        orders = np.argsort(np.stack([o.pixels[:, 0] for o in objects], axis=1), axis=1,
                            kind="stable")
    else:
        orders = np.broadcast_to(np.arange(len(objects)), (n, len(objects)))
    phrasing = _stream(seed, view, len(TEXT_WORDS)).integers(0, len(templates), n)
    clauses: list[list[str]] = [[] for _ in range(n)]
    per_slot, scene_values = [], []
    for slot in range(len(objects)):
        said = _sentences_of(_slot_words(objects, orders[:, slot]), describe, templates, seed,
                             view, slot, phrasing)
        for i, line in enumerate(said.lines):
            clauses[i].append(line)
        own = [k for k, c in enumerate(said.columns[:-1])
               if not any(c.startswith(w) for w in SCENE_WORDS)]
        if order == "left_to_right":
            per_slot.append(orders[:, slot].astype(np.int64)[:, None])
        per_slot.append(said.values[:, own])
        if slot == 0:
            scene_values = [said.values[:, [k for k in range(len(said.columns) - 1)
                                            if k not in own]]]
    table = np.concatenate([*per_slot, *scene_values, phrasing.astype(np.int64)[:, None]],
                           axis=1)
    return Sentences([" ".join(parts) for parts in clauses], table,
                     word_columns(describe, len(objects), order))


def _sentences_of(words: SceneWords, describe: Sequence[str], templates: Sequence[str],
                  seed: int, view: int, slot: int = 0,
                  phrasing: np.ndarray | None = None) -> Sentences:
    """One object's sentences (or clauses, in `slot` of several objects)."""
    n = len(words.shape_indices)
    values: list[np.ndarray] = []
    filled: dict[str, list[str]] = {}
    for draw, word in enumerate(describe):
        # Scene-wide words: the same draw in every slot.
        draw_key = draw if word in SCENE_WORDS else draw + _SLOT_DRAWS * slot
        if word == "shape":
            values.append(np.asarray(words.shape_indices, dtype=np.int64))
            filled["SHAPE"] = list(words.shapes)
        elif word == "position":
            rows, cols = words.grid()
            values += [rows, cols]
            filled["YPOS"] = [ROW_WORDS[r] for r in rows]
            filled["XPOS"] = [COLUMN_WORDS[c] for c in cols]
        else:
            palettes = _stream(seed, view, draw_key).integers(0, len(PALETTES), n)
            names, indices = colour_names(words.hues[word], palettes)
            values += [palettes.astype(np.int64), np.asarray(indices, dtype=np.int64)]
            filled[TEXT_WORDS[word][0]] = list(names)
    if phrasing is None:
        phrasing = _stream(seed, view, len(TEXT_WORDS)).integers(0, len(templates), n)
    values.append(phrasing.astype(np.int64))
    lines = [templates[p].format(**{key: filled[key][i] for key in filled})
             for i, p in enumerate(phrasing)]
    table = np.stack(values, axis=1) if n else np.zeros((0, len(values)), dtype=np.int64)
    return Sentences(lines, table, word_columns(describe))
