"""What each mechanistic claim states and where it comes from: the one place these words live.

The claim family is fixed here, in the lowest claims module, so that everything that depends on
it agrees: the claims' interval level (:data:`ranklens.claims.parts.LEVEL`, Bonferroni over
:data:`CLAIM_IDS`), the registry (:data:`ranklens.claims.registry.CLAIMS`, which pairs each text
with the function that measures it) and the records the claim modules write. It imports nothing
of ranklens, so the claim modules and the registry (which imports them) can both read it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class ClaimText:
    """A claim's statement and citation, as its report record shows them."""

    statement: str
    citation: str


_LU_2025 = "Lu, Chen, Eickhoff, 'Cross-Encoder Rediscovers a Semantic Variant of BM25' (arXiv 2502.04645)"
_HEADS_CITATION = f"{_LU_2025}; Vast et al., 'Understanding Matching Mechanisms in Cross-Encoders' (arXiv 2507.14604)"

SOFT_TF_HEADS = ClaimText(
    statement=(
        "A small set of attention heads computes a soft term frequency: patching them (at the query "
        "positions) from a run with a query term appended into a run with a filler appended recovers "
        "most of the score gain, and they attend from the query term to its appended copy more than "
        "to a filler in its place, beyond heads of their layers matched on attention to that place. "
        "The same selectivity for a related word (Moby thesaurus) is judged when the model passes "
        "STMC1 and reported otherwise."
    ),
    citation=_HEADS_CITATION,
)
SATURATION = ClaimText(
    statement=(
        "The soft-TF heads saturate: the score gain they carry (patched alone from a run with TF = k "
        "copies into one with none) grows with TF at a decreasing rate (concave in TF = 0..K). Their "
        "attention mass on the copies is reported beside it (softmax makes it concave for any head)."
    ),
    citation=f"{_LU_2025}, Sec. 4",
)
LENGTH_NORMALIZATION = ClaimText(
    statement=(
        "The soft-TF heads are length-normalised: with the term count fixed, the score contribution "
        "they carry falls as unrelated text is added to the document, by more than that of heads of "
        "their layers matched on attention. Their attention mass on the matches is reported beside it."
    ),
    citation=f"{_LU_2025}, Sec. 4",
)
SCORING_HEADS = ClaimText(
    statement=(
        "Relevance-scoring heads move the matching signal from the query positions to [CLS]: path-"
        "patching them at [CLS] alone recovers most of the score gain; their [CLS] attention ranks the "
        "query's content words like IDF, more than the other heads of their layers do. Reported beside "
        "it: how much of their contribution IDF x soft-TF explains, as in BM25 (R^2 vs shuffled IDF)."
    ),
    citation=_HEADS_CITATION,
)
IDF_DIRECTION = ClaimText(
    statement=(
        "One of the top singular components of the token-embedding matrix tracks IDF, and moving a "
        "query term's embedding along it changes how much the model rewards matching that term."
    ),
    citation=f"{_LU_2025}, Sec. 5",
)
RELEVANCE_NEURONS = ClaimText(
    statement=(
        "A few FFN neurons carry relevance: the k neurons whose integrated-gradients share of the "
        "relevant-vs-non-relevant margin is largest while lying in (0, 1] in every discovery case "
        "(a share beyond the whole must be cancelled by other neurons: a feature, not relevance), "
        "patched with their activations from the non-relevant run, remove more of the margin than "
        "as many random neurons of the same layers."
    ),
    citation=(
        "Vast et al., 'Which Neurons Matter in IR? Applying Integrated Gradients-based Methods to "
        "Understand Cross-Encoders' (ICTIR 2024, arXiv 2406.19309)"
    ),
)

CLAIM_TEXTS: Mapping[str, ClaimText] = {
    "soft_tf_heads": SOFT_TF_HEADS,
    "saturation": SATURATION,
    "length_normalization": LENGTH_NORMALIZATION,
    "scoring_heads": SCORING_HEADS,
    "idf_direction": IDF_DIRECTION,
    "relevance_neurons": RELEVANCE_NEURONS,
}
"""Every claim by id, in the family's order (the registry's order)."""
CLAIM_IDS: tuple[str, ...] = tuple(CLAIM_TEXTS)
"""The claim family: its size sets the level every claim interval is corrected to."""
