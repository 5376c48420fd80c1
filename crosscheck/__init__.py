"""Cross-check of ranklens' axiom cases against the ``ir_axioms`` package (``tox -e irax``).

Modules by responsibility: :mod:`.text` (term tokenizers and corpus statistics for ir_axioms),
:mod:`.cases` (our cases and an audit of them that needs no ir_axioms), :mod:`.wiring` (which
ir_axioms axiom judges which spec), :mod:`.judge` (running it, and why it did not agree),
:mod:`.output` (table and JSON) and :mod:`.ir_axioms_agreement` (the command).
"""
