"""Latent column layouts by name: each column has a name, a group (the factor it holds, shared
by the N objects' columns of that factor) and a block. Code asks for the columns of a group or
a block and gets their indices or slice, so no offset is ever written out by hand."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    """One latent column: its name, the group it belongs to, its block, its object if any."""

    name: str
    group: str
    block: str | None  # None: a constant column that belongs to no block
    object_index: int | None = None  # the object it describes; None: a scene-wide column


class ColumnLayout:
    """The ordered columns of a latent row, and where each group and block lies in it."""

    def __init__(self, columns: Iterable[Column]) -> None:
        self.columns: tuple[Column, ...] = tuple(columns)
        self.names: tuple[str, ...] = tuple(c.name for c in self.columns)
        if len(set(self.names)) != len(self.names):
            raise ValueError(f"column names repeat: {self.names}")
        self._index = {name: k for k, name in enumerate(self.names)}

    @classmethod
    def with_objects(cls, scene: Sequence[tuple[str, str]], per_object: Sequence[tuple[str, str]],
                     n_objects: int) -> ColumnLayout:
        """Scene-wide (name, block) columns, then for each per-object (factor, block) the
        columns object0_factor ... object{N-1}_factor together (the multi-object order)."""
        columns = [Column(name, name, block) for name, block in scene]
        for factor, block in per_object:
            columns += [Column(f"object{i}_{factor}", factor, block, i) for i in range(n_objects)]
        return cls(columns)

    def __len__(self) -> int:
        return len(self.columns)

    @property
    def blocks(self) -> tuple[str | None, ...]:
        """The block of every column, in column order."""
        return tuple(c.block for c in self.columns)

    @property
    def groups(self) -> tuple[str, ...]:
        """Group names in the order they first appear."""
        return tuple(dict.fromkeys(c.group for c in self.columns))

    @property
    def block_names(self) -> tuple[str, ...]:
        """Block names in the order they first appear (constant columns have none)."""
        return tuple(dict.fromkeys(c.block for c in self.columns if c.block is not None))

    def index(self, name: str) -> int:
        """Index of one column by its name; KeyError names the known columns."""
        try:
            return self._index[name]
        except KeyError:
            raise KeyError(f"unknown column {name!r}; known: {', '.join(self.names)}") from None

    def indices(self, group: str | None = None, block: str | None = None) -> list[int]:
        """Indices, in column order, of the columns in `group` and/or in `block`."""
        found = [k for k, c in enumerate(self.columns)
                 if (group is None or c.group == group) and (block is None or c.block == block)]
        if not found:
            raise KeyError(f"no column has group {group!r} and block {block!r}")
        return found

    def slice(self, group: str) -> slice:
        """The columns of one group, which lie next to each other, as a slice."""
        found = self.indices(group=group)
        if found != list(range(found[0], found[-1] + 1)):
            raise ValueError(f"the columns of group {group!r} are not adjacent: {found}")
        return slice(found[0], found[-1] + 1)
