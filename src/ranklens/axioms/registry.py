"""The axiom family: every registered axiom with the parameters it is checked at.

The family is fixed here, not by which tests pytest happens to collect, so a verdict does not
depend on ``-k``: intervals are corrected for the whole family (Bonferroni) and p-values Holm-
adjusted over it.
"""

from __future__ import annotations

from ranklens.axioms.spec import AxiomSpec
from ranklens.strategies import length, proximity, semantic, term_frequency

_FANG_2004 = "Fang, Tao, Zhai. A formal study of information retrieval heuristics. SIGIR 2004; TOIS 2011."
_FANG_2006 = "Fang and Zhai. Semantic term matching in axiomatic approaches to information retrieval. SIGIR 2006."

AXIOMS: tuple[AxiomSpec, ...] = (
    *(
        AxiomSpec(
            "TFC1",
            "Adding a query term raises the score more than adding a filler of equal token length.",
            _FANG_2004,
            term_frequency.tfc1,
            {"position": position},
        )
        for position in ("append", "prepend", "middle")
    ),
    *(
        AxiomSpec(
            "TFC2",
            "Each further occurrence of a query term adds less than the previous one.",
            _FANG_2004,
            term_frequency.tfc2,
            {"step": step, "position": "append"},
        )
        for step in (1, 2)
    ),
    AxiomSpec(
        "TFC3", "Covering two query terms of similar IDF beats repeating one of them.", _FANG_2004, term_frequency.tfc3
    ),
    AxiomSpec(
        "TDC",
        "Adding a rarer query term raises the score more than adding a commoner one.",
        _FANG_2004,
        term_frequency.tdc,
    ),
    AxiomSpec(
        "LB1",
        "Containing a query term once beats lacking it, other things equal.",
        "Lv and Zhai. Lower-bounding term frequency normalization. CIKM 2011.",
        term_frequency.tfc1,
        {"absent": True, "position": "append"},
    ),
    *(
        AxiomSpec(
            "LNC1",
            "Adding text without query terms lowers the score.",
            _FANG_2004,
            length.lnc1,
            {"sentences": sentences},
        )
        for sentences in (1, 3)
    ),
    AxiomSpec(
        "LNC2",
        "A document concatenated with itself is not scored below the document.",
        _FANG_2004,
        length.lnc2,
        {"times": 2},
        strict=False,
    ),
    AxiomSpec("TF-LNC", "Adding a query term raises the score although the document grows.", _FANG_2004, length.tf_lnc),
    AxiomSpec(
        "STMC1", "Adding a word related to a query term beats adding an unrelated word.", _FANG_2006, semantic.stmc1
    ),
    AxiomSpec("STMC2", "Adding the query term itself beats adding a word related to it.", _FANG_2006, semantic.stmc2),
    AxiomSpec(
        "PROX",
        "Two query terms side by side beat the same terms far apart.",
        "Tao and Zhai. An exploration of proximity measures in information retrieval. SIGIR 2007.",
        proximity.prox,
    ),
    AxiomSpec(
        "AND",
        "A document with all query terms beats one missing a term (replaced by a filler).",
        "Zheng and Fang. Query aspect based term weighting regularization. ECIR 2010.",
        proximity.coverage,
    ),
)


def axiom(name: str) -> AxiomSpec:
    """The spec named ``name`` (e.g. ``"TFC1[position=append]"``); the error lists the valid names."""
    for spec in AXIOMS:
        if spec.name == name:
            return spec
    raise KeyError(f"Unknown axiom {name!r}; registered: {', '.join(s.name for s in AXIOMS)}")
