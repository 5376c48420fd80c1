"""Mechanistic claims: does this model compute relevance the way the interpretability papers found?

:class:`HeadClaimSpec` declares a head claim of your own; the ``claim_check`` fixture measures it."""

from ranklens.claims.declared import HeadClaimSpec

__all__ = ["HeadClaimSpec"]
