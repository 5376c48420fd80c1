"""Words, query terms, fillers and word-level IDF: the vocabulary the perturbations draw on.

A *term* is a whole word (lower-case letters, at least three, not a stopword), because axioms
are stated over words; the model sees WordPieces, so every choice that must keep token lengths
equal (a filler for a term, a related word for a term) compares WordPiece counts through the
model's own tokenizer (:class:`PieceCounter`).

IDF here is word-level and comes from the committed passages: ``idf(w) = ln(1 + (N - df + 0.5)
/ (df + 0.5))`` (BM25's, Robertson and Zaragoza 2009), N = number of passages, df = passages
containing ``w``. Words never seen get ``df = 0``.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

from ranklens.cases.sampling import fixture_corpus

_WORD = re.compile(r"[a-z]+")
_STOPWORD_TEXT = """
    a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had
    has have having he her here hers herself him himself his how i if in into is it its itself just
    known may me more most my myself no nor not now of off often on once one only or other our ours
    ourselves out over own same she should so some such than that the their theirs them themselves
    then there these they this those through to too two under until up used very was we were what
    when where which while who whom why will with would you your yours yourself yourselves
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def words(text: str) -> list[str]:
    """Lower-case alphabetic words of ``text``, in order, accents folded as BERT-uncased does
    ("Boötes" is one word, "bootes", not "bo" and "tes")."""
    folded = "".join(c for c in unicodedata.normalize("NFKD", text.lower()) if not unicodedata.combining(c))
    return _WORD.findall(folded)


def stem(word: str) -> str:
    """A light suffix stripper (plurals, -ing, -ed, -ly): enough to see that "islands" contains the
    term "island", without a stemming dependency. Only used to decide presence, never inserted."""
    for suffix, replacement in (("ies", "y"), ("ing", ""), ("ed", ""), ("ly", ""), ("es", ""), ("s", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + replacement
    return word


def occurs(term: str, text: str) -> bool:
    """Whether ``term`` occurs in ``text`` in any inflected or derived form (same stem, or a word
    that begins with it: "chemically" holds "chemical")."""
    target = stem(term)
    return any(w.startswith(term) or stem(w) == target for w in words(text))


def surface_form(term: str, text: str) -> str:
    """``term`` as it is written in ``text`` (its first occurrence), so an inserted query term is
    the same token sequence as in the query for cased models too."""
    match = re.search(rf"\b{re.escape(term)}\b", unicodedata.normalize("NFC", text), flags=re.IGNORECASE)
    return match.group(0) if match else term


def terms(text: str) -> list[str]:
    """Distinct content words of ``text`` in order of first appearance (axiom terms)."""
    seen: dict[str, None] = {}
    for word in words(text):
        if len(word) >= 3 and word not in STOPWORDS:
            seen.setdefault(word, None)
    return list(seen)


@dataclass(frozen=True)
class WordStatistics:
    """Document frequencies of words in the committed passages."""

    n_documents: int
    document_frequency: dict[str, int]

    def idf(self, word: str) -> float:
        df = self.document_frequency.get(word, 0)
        return math.log(1 + (self.n_documents - df + 0.5) / (df + 0.5))


@cache
def word_statistics() -> WordStatistics:
    """Word-level document frequencies over the fixture passages (computed once per process)."""
    passages = fixture_corpus().passages
    df: Counter[str] = Counter()
    for passage in passages:
        df.update(set(words(passage.text)))
    return WordStatistics(len(passages), dict(df))


@cache
def filler_vocabulary() -> tuple[str, ...]:
    """Candidate fillers: content words seen in 2 to 20 passages (real words, neither rare names
    nor near-stopwords), sorted so that a seeded choice is reproducible."""
    stats = word_statistics()
    return tuple(
        sorted(w for w, df in stats.document_frequency.items() if 2 <= df <= 20 and len(w) >= 4 and w not in STOPWORDS)
    )


PieceCounter = Callable[[str], int]
"""How many WordPieces (tokens) a single word becomes under the model's tokenizer."""

PieceSplitter = Callable[[str], list[str]]
"""The WordPieces (tokens, no special tokens) a text becomes under the model's tokenizer."""


def choose_filler(
    term: str,
    *,
    avoid: Iterable[str],
    count_pieces: PieceCounter,
    rng: np.random.Generator,
    vocabulary: Sequence[str] | None = None,
    attempts: int = 200,
) -> str | None:
    """A filler word with the same token count as ``term`` and none of the words in ``avoid``.

    Returns ``None`` when none is found (the case is then invalid and counted as such).
    """
    pool = vocabulary if vocabulary is not None else filler_vocabulary()
    banned = set(avoid) | {term}
    target = count_pieces(term)
    for index in rng.integers(0, len(pool), size=attempts):
        candidate = pool[int(index)]
        if candidate not in banned and count_pieces(candidate) == target:
            return candidate
    return None
