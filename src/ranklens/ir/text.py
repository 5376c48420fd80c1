"""Words, terms and the one stemmer: how ranklens reads English text, with no model in sight.

A *term* is a whole word (lower-case letters, at least three, not a stopword), because axioms
are stated over words. Every module that needs words, terms or stems imports them from here.
"""

from __future__ import annotations

import functools
import re
import unicodedata

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


@functools.lru_cache(maxsize=1 << 16)
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
    return any(w.startswith(term) or s == target for w, s in _stemmed_words(text))


@functools.lru_cache(maxsize=1 << 14)
def _stemmed_words(text: str) -> tuple[tuple[str, str], ...]:
    """(word, stem) pairs of ``text``: cached, as case building asks about the same texts often."""
    return tuple((w, stem(w)) for w in words(text))


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
