"""Cross-check ranklens' axiom cases against ``ir_axioms`` (webis; PyPI ``ir-axioms`` 1.2.5).

Why: every ranklens axiom case claims that its treatment document should outrank its control
under the query. ``ir_axioms`` implements the same axioms independently, as preference functions
over a pair of documents. Feeding it our (query, treatment, control) triples tests the
*construction* of the cases, not any model: where its preconditions hold it should prefer the
treatment; a systematic disagreement is a bug in our builders or a stated difference between the
two formalisations, and the README's "Cross-check against ir_axioms" section explains each one.
What each row can compare is stated with it (:data:`crosscheck.wiring.ROWS`), and our cases are
audited independently of ir_axioms (:func:`crosscheck.cases.audit`).

Run it with ``tox -e irax`` (its own environment: ir_axioms pins numpy ~1.26); nothing is
downloaded at run time. It prints the table, the reasons and the audit, and writes them, with up
to five examples per finding, to ``reports/crosscheck/ir_axioms.json``.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from crosscheck.cases import AUDIT_KEYS, audit, build_all, piece_tokenizer
from crosscheck.judge import Tally, judge
from crosscheck.output import explain, table, write_json
from crosscheck.text import TOKENIZERS, CorpusIndex
from crosscheck.wiring import ROWS
from ranklens.axioms import AXIOMS
from ranklens.axioms.measure import DEFAULT_SAMPLE_SIZE
from ranklens.data.corpus import load_corpus
from ranklens.ir.bm25 import Collection
from ranklens.plugin.options import DEFAULT_SEED

OUT = Path("reports/crosscheck/ir_axioms.json")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="case seed (default: the suite's)")
    parser.add_argument("-n", type=int, default=DEFAULT_SAMPLE_SIZE, help="cases per spec (default: the suite's)")
    parser.add_argument("--tokenizer", choices=[*TOKENIZERS, "both"], default="both")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)

    audited = {s.name for s in AXIOMS if s.axiom_id in AUDIT_KEYS}
    pieces = piece_tokenizer()
    cases, skipped = build_all({row.spec for row in ROWS} | audited, pieces, n=args.n, seed=args.seed)
    passages = [p.text for p in load_corpus().passages]
    tallies: list[Tally] = []
    found: dict[str, Any] = {}
    for name in TOKENIZERS if args.tokenizer == "both" else [args.tokenizer]:
        tokenizer = TOKENIZERS[name]()
        index = CorpusIndex.build(tokenizer, passages)
        bm25 = Collection.of(list(tokenizer.terms(p)) for p in passages)
        tallies += judge(ROWS, cases, tokenizer, index, bm25, name)
        if name == "lemma":
            found = audit(cases, tokenizer, pieces)

    print(table(tallies))
    print("\n" + explain(tallies, found))
    write_json(args.out, seed=args.seed, sample_size=args.n, skipped=skipped, tallies=tallies, audit=found)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
