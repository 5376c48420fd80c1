"""Hypothesis strategies that generate the cases of every check, built-in or your own.

Building blocks: :func:`queries`, :func:`passages`, :func:`source_pairs` (the population cases
start from), :func:`passage_fragments` (real text that shrinks), :func:`fillers` (equal
WordPiece count), :func:`off_queries`, :func:`unrelated_texts`, :func:`middle_offsets`,
:func:`idf_band_terms` (a query term whose IDF lies in a band: :func:`idf_bands`' terciles, or
bounds), :func:`relevance_contrasts` (a judged query with a relevant and a non-relevant passage).
Perturbations (one per axiom family: :mod:`~ranklens.strategies.term_frequency`,
:mod:`~ranklens.strategies.length`, :mod:`~ranklens.strategies.proximity`,
:mod:`~ranklens.strategies.semantic`) turn a pair into a controlled case, and
:func:`perturbed_cases` makes any of them, or one you write, a strategy of cases.
:func:`aligned_cases` draws the token-aligned runs the circuit claims patch between (a declared
head claim brings its own function of that shape, :class:`AlignedCases`).

A verdict's sample is drawn from these strategies uniformly (:func:`draw_sample`; the scoring
invariants' pairs: :func:`sample_source_pairs`); a counterexample search runs them under
Hypothesis, which shrinks them.
"""

from ranklens.strategies.aligned import AlignedCases, CircuitCase, aligned_cases, unrelated_tokens
from ranklens.strategies.context import CaseContext
from ranklens.strategies.corpus import (
    passage_fragments,
    passages,
    queries,
    relevance_contrasts,
    sample_source_pairs,
    search_pairs,
    source_pairs,
)
from ranklens.strategies.idf_bands import IdfBand, band_terms, idf_band_terms, idf_bands
from ranklens.strategies.perturbation import Perturbation, perturbed_cases
from ranklens.strategies.sampling import Draw, Sample, UniformProvider, draw_sample, seeded
from ranklens.strategies.words import fillers, middle_offsets, off_queries, related_pairs, unrelated_texts

__all__ = [
    "AlignedCases",
    "CaseContext",
    "CircuitCase",
    "Draw",
    "IdfBand",
    "Perturbation",
    "Sample",
    "UniformProvider",
    "aligned_cases",
    "band_terms",
    "draw_sample",
    "fillers",
    "idf_band_terms",
    "idf_bands",
    "middle_offsets",
    "off_queries",
    "passage_fragments",
    "passages",
    "perturbed_cases",
    "queries",
    "related_pairs",
    "relevance_contrasts",
    "sample_source_pairs",
    "search_pairs",
    "seeded",
    "source_pairs",
    "unrelated_texts",
    "unrelated_tokens",
]
