"""Token ids for text views: the tokenizer splits as nltk's word_tokenize (Multimodal3DIdent's)
on every template and colour name, the vocabulary is the original loader's (special tokens,
then words in order of first appearance, vocab.json's format), and the loader gives ids and
one-hot words from a vocabulary built on the training split and shared with the test split."""

from __future__ import annotations

import json
from collections import Counter, OrderedDict
from pathlib import Path

import numpy as np
import pytest
import torch
from nltk.tokenize import word_tokenize
from torch.utils.data import DataLoader

from identbox.dataset import IdentBoxPairs, Vocabulary, tokenize
from identbox.dataset.loading.tokens import EOS, PAD, UNK
from identbox.dataset.writing.writer import write_latents
from identbox.model.colour_names import all_names
from identbox.sampling.text import COLUMN_WORDS, MULTIMODAL_TEMPLATES, ROW_WORDS
from identbox.settings.pairs import DatasetSettings

SHAPES = ("teapot", "hare", "dragon", "cow", "armadillo", "horse", "head")
OTHER_TEMPLATES = (  # the style words, and punctuation the five templates lack
    'A "{COLOR}" teapot is at the {YPOS}-{XPOS}; the ground is "{GROUND}".',
    "The {SHAPE}'s colour: {COLOR}, isn't it? (At the {YPOS} {XPOS}!)",
    "'{COLOR}' {SHAPE} & a {GROUND} ground at 3:30, 1,000 times... [{YPOS}/{XPOS}] *",
)


def nltk_words(sentence: str) -> list[str]:
    """nltk's word_tokenize on one sentence (the original loader tokenises sentence by
    sentence; preserve_line skips its sentence splitter, which needs downloaded data)."""
    return word_tokenize(sentence, preserve_line=True)


def test_the_tokenizer_splits_as_nltk_on_every_template_and_colour_name() -> None:
    rng = np.random.default_rng(0)
    names = all_names()
    checked = 0
    for template in (*MULTIMODAL_TEMPLATES, *OTHER_TEMPLATES):
        for name in names:
            sentence = template.format(
                SHAPE=SHAPES[rng.integers(len(SHAPES))], COLOR=name,
                GROUND=names[rng.integers(len(names))], YPOS=ROW_WORDS[rng.integers(3)],
                XPOS=COLUMN_WORDS[rng.integers(3)])
            assert tokenize(sentence) == nltk_words(sentence), sentence
            checked += 1
    assert checked == 8 * 1107
    # Quotes become `` and '', prefixes split at the colon, the final period stands alone.
    assert tokenize('A "xkcd:bright aqua" cow is at the top-left of the image.') == [
        "A", "``", "xkcd", ":", "bright", "aqua", "''", "cow", "is", "at", "the", "top-left",
        "of", "the", "image", "."]


def original_vocabulary(sentences: list[str]) -> list[str]:
    """The words of Multimodal3DIdent's vocabulary, made as its loader makes them: special
    tokens, then an ordered count of word_tokenize's words over the split."""

    class OrderedCounter(Counter, OrderedDict):  # type: ignore[type-arg]
        pass

    counter: OrderedCounter = OrderedCounter()
    for sentence in sentences:
        counter.update(nltk_words(sentence))
    return ["{pad}", "{eos}", "{unk}", *(w for w in counter if w not in ("{pad}", "{eos}",
                                                                          "{unk}"))]


def text_dataset(root: Path, n_pairs: int, seed: int, templates: list[str]) -> Path:
    """Two text views (no Blender): Multimodal3DIdent's words, the given templates."""
    text = {"modality": "text", "text": {"templates": templates}}
    settings = DatasetSettings.from_dict({"n_pairs": n_pairs, "seed": seed,
                                          "views": [text, text | {"name": "again"}]})
    write_latents(settings, root)
    return root


@pytest.fixture(scope="module")
def splits(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("tokens")
    text_dataset(root / "train", 300, 1, list(MULTIMODAL_TEMPLATES))
    # The test split says "photo", a word the training split never has: {unk}.
    text_dataset(root / "test", 40, 2, ['A "{COLOR}" {SHAPE}, {YPOS}-{XPOS} of the photo.'])
    return root


def test_the_vocabulary_is_the_original_loader_s(splits: Path, tmp_path: Path) -> None:
    train = IdentBoxPairs(splits, split="train", text="ids", tensors=False)
    sentences = train.sentences(1) + train.sentences(2)
    assert train.vocabulary is not None
    assert list(train.vocabulary.words) == original_vocabulary(sentences)
    assert train.vocabulary.words[:3] == (PAD, EOS, UNK)
    assert train.sequence_length == max(len(nltk_words(s)) for s in sentences) + 1
    saved = json.loads(train.vocabulary.save(tmp_path / "vocab.json").read_text())
    assert set(saved) == {"w2i", "i2w"} and saved["w2i"]["{unk}"] == 2
    assert saved["i2w"]["3"] == train.vocabulary.words[3]
    assert Vocabulary.load(tmp_path / "vocab.json") == train.vocabulary
    (tmp_path / "bad.json").write_text('{"words": []}')
    with pytest.raises(ValueError, match="not a vocabulary"):
        Vocabulary.load(tmp_path / "bad.json")


def test_ids_and_one_hot_words_with_the_training_vocabulary(splits: Path, tmp_path: Path) -> None:
    train = IdentBoxPairs(splits, split="train", text="ids", tensors=False)
    assert train.vocabulary is not None
    path = train.vocabulary.save(tmp_path / "vocab.json")
    test = IdentBoxPairs(splits, split="test", text="ids", vocabulary=path, tensors=False,
                         sequence_length=train.sequence_length)
    words = train.vocabulary.words
    for data in (train, test):
        for index in (0, 7, len(data) - 1):
            x1, x2, _, _ = data[index]
            assert x1.dtype == np.int64 and x1.shape == (train.sequence_length,)
            for ids, view in ((x1, 1), (x2, 2)):
                said = tokenize(data.sentence(index, view))
                expected = [w if w in words else UNK for w in said] + [EOS]
                expected += [PAD] * (train.sequence_length - len(expected))
                assert [words[k] for k in ids] == expected
    unknown = [k for k, w in enumerate(tokenize(test.sentence(3, 1))) if w == "photo"]
    assert unknown and test[3][0][unknown[0]] == words.index(UNK)
    # Tensors and one-hot words, batched by a DataLoader.
    hot = IdentBoxPairs(splits, split="test", text="one_hot", vocabulary=train.vocabulary)
    x1 = hot[3][0]
    assert x1.dtype == torch.float32 and x1.shape == (hot.sequence_length, len(words))
    assert torch.equal(x1.argmax(dim=1), torch.from_numpy(
        train.vocabulary.ids(test.sentence(3, 1), hot.sequence_length)))
    batch = next(iter(DataLoader(IdentBoxPairs(splits, split="test", text="ids"),
                                 batch_size=8)))
    assert batch[0].dtype == torch.int64 and batch[0].shape[0] == 8
    # Sentences stay the default; a wrong form is one clear error.
    assert IdentBoxPairs(splits, split="test", tensors=False)[0][0] == test.sentence(0, 1)
    with pytest.raises(ValueError, match="text must be one of"):
        IdentBoxPairs(splits, split="test", text="words")


def test_a_long_sentence_is_cut_before_eos() -> None:
    vocabulary = Vocabulary.from_sentences(["A red cow is here."])
    ids = vocabulary.ids("A red cow is here.", 4)
    assert [vocabulary.words[k] for k in ids] == ["A", "red", "cow", EOS]
    assert [vocabulary.words[k] for k in vocabulary.ids("A blue cow.", 6)] == [
        "A", UNK, "cow", ".", EOS, PAD]
