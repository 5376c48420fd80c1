"""``length_normalization``: the soft-TF heads' attention on the matches falls as the document grows.

The term twice, then n unrelated one-token words (sharing no token with the query) appended; the
heads' attention mass on the two copies must fall as n grows. Per case, the relative drop from
n = 0 to the largest n.
"""

from __future__ import annotations

import numpy as np

from ranklens.claims.curves import MIN_GAIN, no_established_heads, report_curve
from ranklens.claims.heads import HeadClaim
from ranklens.claims.parts import LEVEL, Part, claim_result, not_measurable
from ranklens.claims.samples import CaseSample, unrelated_tokens
from ranklens.claims.statements import LENGTH_NORMALIZATION as LENGTH
from ranklens.models import Reranker
from ranklens.models.attention import copies_mass
from ranklens.stats import mean_effect
from ranklens.verdicts import CheckResult

APPENDED = (0, 16, 32, 64)
LENGTH_DROP = 0.05
"""Relative attention lost to 64 unrelated tokens: at least 5 % (BM25's b = 0.75 loses ~18 %
on an average-length document; no length normalisation loses none)."""


def length_normalization(reranker: Reranker, soft_tf: HeadClaim, sample: CaseSample, *, seed: int) -> CheckResult:
    if (reason := no_established_heads(soft_tf)) is not None:
        return not_measurable("length_normalization", reason, statement=LENGTH.statement, citation=LENGTH.citation)
    heads = soft_tf.discovery.heads_found
    rng = np.random.default_rng([seed, 31])
    rows, cases = [], []
    for case in sample.cases:
        extra = unrelated_tokens(reranker, case.query, max(APPENDED), rng)
        docs = [(case.query, case.with_appended([case.term, case.term, *(extra or [])[:n]])) for n in APPENDED]
        if extra is not None and bool(reranker.fits(docs).all()):
            rows += docs
            cases += [case] * len(APPENDED)
    if not rows:
        return not_measurable(
            "length_normalization", "no case fits the window", statement=LENGTH.statement, citation=LENGTH.citation
        )
    mass = copies_mass(reranker, rows, [c.term_id for c in cases], heads).reshape(-1, len(APPENDED))
    kept = mass[:, 0] > MIN_GAIN
    drop = (mass[kept, 0] - mass[kept, -1]) / mass[kept, 0]
    effect = mean_effect("relative_attention_drop", drop, seed=seed, level=LEVEL)
    parts = [Part(effect, LENGTH_DROP, "attention falls", n=len(drop))]
    details = {
        "heads": [list(h) for h in heads],
        "length_curve": report_curve(
            list(APPENDED),
            {"attention mass / no text added": mass[kept]},
            x_label="unrelated tokens appended",
            y_label="relative attention mass",
            seed=seed,
            normalise_at=0,
        ),
        "mean_attention_mass_by_length": [round(float(v), 5) for v in mass.mean(0)],
        "monotone_fraction": round(float(np.mean(np.all(np.diff(mass[kept], axis=1) <= 0, axis=1))), 4),
        "cases_without_attention": int((~kept).sum()),
    }
    return claim_result(
        "length_normalization",
        parts,
        n=len(drop),
        statement=LENGTH.statement,
        citation=LENGTH.citation,
        details=details,
    )
