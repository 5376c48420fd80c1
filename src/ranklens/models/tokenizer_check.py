"""Refuse a tokenizer that cannot be the one the model was trained with.

transformers 5 does not fail when a checkpoint has no tokenizer files: it builds a 5-token
BertTokenizer/RobertaTokenizer from config.json, every word becomes ``[UNK]`` (or nothing), and a
run produces a confident, meaningless report. Two kinds of evidence are checked, because each
misses cases the other sees: the files present (cheap, before anything is loaded), and the loaded
tokenizer's behaviour (its vocabulary against the model's embedding matrix, and how much plain
English it can read), which also catches another model's tokenizer saved beside the weights.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ranklens.errors import ModelLoadError

SAVE_TOKENIZER = "Save the tokenizer with the model: `tokenizer.save_pretrained(dir)`."
_SAVE_TRAINED_TOKENIZER = "Save the tokenizer the model was trained with beside it: `tokenizer.save_pretrained(dir)`."

_VOCABULARY_FILES = ("tokenizer.json", "vocab.txt")
_BPE_FILES = ("vocab.json", "merges.txt")
_SENTENCEPIECE_SUFFIXES = (".model", ".spm")
_SETTINGS_FILES = ("tokenizer_config.json", "special_tokens_map.json", "added_tokens.json", "vocab.json", "merges.txt")
_LOOKED_FOR = "tokenizer.json, vocab.txt, vocab.json with merges.txt, or a SentencePiece *.model"

ENGLISH_SAMPLE = (
    "The weather today is cold and windy with rain in the evening.",
    "How tall is the tower in the centre of the old city?",
    "Children learn to read and write at school with their teachers.",
    "A search engine ranks documents by how well they answer a question.",
    "Doctors recommend drinking water, sleeping well and walking every day.",
    "The river flows from the mountains down to the sea through green fields.",
    "She bought bread, milk and fresh fruit at the market this morning.",
    "Prices rise when many people want something that is rare.",
)
"""Plain, common English (written for this module): every English-reading tokenizer reads it."""

UNREAD_WORD_LIMIT = 0.5
"""Largest share of ``ENGLISH_SAMPLE``'s words that may come out as only the unknown token (or as
nothing). Sound tokenizers read almost all of them (WordPiece and SentencePiece fall back to
sub-words and characters, byte-level BPE never fails, and even a tokenizer for another language
spells English with characters); broken ones read almost none. One half sits far from both."""

SMALLEST_VOCABULARY_SHARE = 0.5
"""Smallest ``len(tokenizer) / config.vocab_size`` accepted. Real checkpoints pad the embedding
matrix at most a few percent beyond the tokenizer, to a multiple of 8-128 (DeBERTa-v3: 128100 rows
for 128001 tokens; ModernBERT: 50368 for 50280). A tokenizer covering under half the rows is the
5-token stand-in or another model's tokenizer, and most embeddings would never be read."""


def require_tokenizer_files(directory: Path, model_id: str) -> None:
    """Refuse a checkpoint directory without a tokenizer vocabulary (checked by file names only)."""
    if _has_vocabulary(directory):
        return
    present = [name for name in _SETTINGS_FILES if (directory / name).exists()]
    where = f"in {str(directory)!r}"
    if present:
        cause = f"has tokenizer files {where} ({', '.join(present)}) but no vocabulary to build the tokenizer from"
    else:
        cause = f"has no tokenizer files {where}"
    raise ModelLoadError(
        f"{model_id!r} {cause} (looked for {_LOOKED_FOR}). Without one, transformers 5 silently builds a 5-token "
        "tokenizer from config.json that turns every word into [UNK], so every score would be meaningless. "
        + SAVE_TOKENIZER
    )


def check_tokenizer_fits_model(tokenizer: Any, config: Any, model_id: str) -> None:
    """Refuse a loaded tokenizer whose ids do not match the model's embedding matrix or that cannot read English."""
    vocab_size = getattr(config, "vocab_size", None)
    if isinstance(vocab_size, int) and vocab_size > 0:
        _check_vocabulary_size(tokenizer, vocab_size, model_id)
    _check_reads_english(tokenizer, model_id)


def unread_words(tokenizer: Any) -> tuple[int, int]:
    """How many words of ``ENGLISH_SAMPLE`` the tokenizer turns into only unknown tokens or nothing, of how many."""
    words = [word for sentence in ENGLISH_SAMPLE for word in sentence.split()]
    encoded = tokenizer(words, add_special_tokens=False)["input_ids"]
    unknown = tokenizer.unk_token_id
    unread = sum(1 for ids in encoded if all(i == unknown for i in ids))  # all() of nothing: an empty word
    return unread, len(words)


def _has_vocabulary(directory: Path) -> bool:
    if any((directory / name).is_file() for name in _VOCABULARY_FILES):
        return True
    if all((directory / name).is_file() for name in _BPE_FILES):
        return True
    return any(p.is_file() and p.suffix in _SENTENCEPIECE_SUFFIXES for p in directory.iterdir())


def _check_vocabulary_size(tokenizer: Any, vocab_size: int, model_id: str) -> None:
    size = len(tokenizer)
    largest_id = max(tokenizer.get_vocab().values(), default=-1)
    if largest_id >= vocab_size:
        raise ModelLoadError(
            f"{model_id!r}: its tokenizer has {size} tokens with ids up to {largest_id}, but the model's embedding "
            f"matrix has only {vocab_size} rows (config.json vocab_size), so those ids are out of range and scoring "
            "would fail with an index error. This is another model's tokenizer. " + _SAVE_TRAINED_TOKENIZER
        )
    if size < SMALLEST_VOCABULARY_SHARE * vocab_size:
        raise ModelLoadError(
            f"{model_id!r}: its tokenizer knows {size} tokens, but the model's embedding matrix has {vocab_size} rows "
            f"(config.json vocab_size); under {SMALLEST_VOCABULARY_SHARE:.0%} of the model's vocabulary means another "
            "model's tokenizer or a stand-in rebuilt without the vocabulary, and most embeddings would never be read. "
            + _SAVE_TRAINED_TOKENIZER
        )


def _check_reads_english(tokenizer: Any, model_id: str) -> None:
    unread, total = unread_words(tokenizer)
    if unread > UNREAD_WORD_LIMIT * total:
        raise ModelLoadError(
            f"{model_id!r}: its tokenizer maps {unread} of {total} words of plain English to the unknown token "
            f"({tokenizer.unk_token!r}) or to nothing, so the model would read almost none of the text and every "
            "score would be meaningless. This is another model's tokenizer or one rebuilt without its vocabulary. "
            + _SAVE_TRAINED_TOKENIZER
        )


__all__ = [
    "ENGLISH_SAMPLE",
    "SMALLEST_VOCABULARY_SHARE",
    "UNREAD_WORD_LIMIT",
    "check_tokenizer_fits_model",
    "require_tokenizer_files",
    "unread_words",
]
