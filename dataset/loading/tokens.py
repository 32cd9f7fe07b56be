"""Token ids for text views: a word tokenizer and a vocabulary built from a dataset's sentences,
as Multimodal3DIdent's loader makes them (so a model trained on its data reads ours alike).

Its loader tokenises with nltk's word_tokenize (the Penn Treebank rules) and numbers the words
in order of first appearance after the special tokens {pad}, {eos}, {unk}; a sentence becomes
its words, {eos}, then {pad} up to the longest sentence of the split plus one. IdentBox does not
depend on nltk: `tokenize` applies the Treebank rules that matter for sentences of words,
spaces, hyphens, digits, double quotes, apostrophes and the punctuation . , : ; ! ? ( ) [ ]
{ } < > @ # $ % & * (tests/test_tokens.py checks it against nltk on every template and colour
name). Not covered: the contractions nltk splits from a list (cannot, gonna, ...), dashes
other than '-' and '--', and typographic quotes.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

PAD, EOS, UNK = "{pad}", "{eos}", "{unk}"
SPECIAL_TOKENS = (PAD, EOS, UNK)

# In order: each pattern's matches are replaced, then the text is split at white space.
_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    # An opening double quote (at the start, or after a space or bracket) becomes ``.
    (re.compile(r'^"'), " `` "),
    (re.compile(r'(?<=[ (\[{<])(?:"|\'\')'), " `` "),
    # A single quote opening a word, unless it starts a clitic ('s, 're, ...).
    (re.compile(r"(?i)(?<!\w)'(?!(?:re|ve|ll|m|t|s|d|n)\b)(?=\w)"), "' "),
    # The sentence's final period, and any closing quotes or brackets after it.
    (re.compile(r"""(?<=[^.])\.(?=[\])}>"' ]*$)"""), " . "),
    # A colon or comma, unless a digit follows (3:30, 1,000).
    (re.compile(r"[:,](?=\D|$)"), r" \g<0> "),
    (re.compile(r"\.{2,}"), r" \g<0> "),
    (re.compile(r"[;@#$%&?!*\[\](){}<>]|--"), r" \g<0> "),
    (re.compile(r"(?<=[^'])'(?=\s|$)"), " ' "),
    # Every other double quote closes: ''.
    (re.compile(r'"|\'\''), " '' "),
    # Clitics and a closing single quote at a word's end: robin's -> robin 's.
    (re.compile(r"(?<=[^' ])('[sSmMdD]|'ll|'LL|'re|'RE|'ve|'VE|n't|N'T|')(?=\s|$)"), r" \1"),
)


def tokenize(sentence: str) -> list[str]:
    """The words and punctuation of one sentence, split as nltk's word_tokenize splits them
    ('A "red" cow.' -> A `` red '' cow .)."""
    for pattern, replacement in _RULES:
        sentence = pattern.sub(replacement, sentence)
    return sentence.split()


@dataclass(frozen=True)
class Vocabulary:
    """Words by id: {pad} 0, {eos} 1, {unk} 2, then every word of the sentences it was built
    from in order of first appearance. Build it from the training split and give it to the
    other splits (a word it lacks becomes {unk})."""

    words: tuple[str, ...]
    _ids: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.words[:len(SPECIAL_TOKENS)] != SPECIAL_TOKENS:
            raise ValueError(f"a vocabulary starts with {', '.join(SPECIAL_TOKENS)}")
        if len(set(self.words)) != len(self.words):
            raise ValueError("a vocabulary lists each word once")
        object.__setattr__(self, "_ids", {word: k for k, word in enumerate(self.words)})

    @classmethod
    def from_sentences(cls, sentences: Iterable[str]) -> Vocabulary:
        """The words of these sentences, after the special tokens."""
        seen = dict.fromkeys(SPECIAL_TOKENS)
        for sentence in sentences:
            seen.update(dict.fromkeys(tokenize(sentence)))
        return cls(tuple(seen))

    def __len__(self) -> int:
        return len(self.words)

    def id(self, word: str) -> int:
        """A word's id; {unk}'s for a word the vocabulary lacks."""
        return self._ids.get(word, self._ids[UNK])

    def ids(self, sentence: str, length: int) -> np.ndarray:
        """The sentence's word ids, then {eos}, then {pad} up to `length` (int64); words beyond
        length - 1 are cut off, so {eos} always ends it."""
        words = [*tokenize(sentence)[:length - 1], EOS]
        out = np.full(length, self.id(PAD), dtype=np.int64)
        out[:len(words)] = [self.id(word) for word in words]
        return out

    def save(self, path: str | Path) -> Path:
        """A JSON file as Multimodal3DIdent's loader writes vocab.json: {"w2i", "i2w"}."""
        path = Path(path)
        data = {"w2i": {w: k for k, w in enumerate(self.words)},
                "i2w": {str(k): w for k, w in enumerate(self.words)}}
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        return path

    @classmethod
    def load(cls, path: str | Path) -> Vocabulary:
        """A vocabulary saved by `save` (or Multimodal3DIdent's vocab.json)."""
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        try:
            words = {int(k): w for k, w in data["i2w"].items()}
        except (KeyError, TypeError, ValueError, AttributeError):
            raise ValueError(f"{path}: not a vocabulary ({{'w2i', 'i2w'}} expected)") from None
        if sorted(words) != list(range(len(words))):
            raise ValueError(f"{path}: word ids are not 0 to {len(words) - 1}")
        return cls(tuple(words[k] for k in range(len(words))))


def sequence_length(sentences: Sequence[str]) -> int:
    """The longest sentence's words plus one ({eos}), as the original loader pads them."""
    return max((len(tokenize(s)) for s in sentences), default=0) + 1
