"""Every registered check in one list, axioms and claims alike, for whoever needs them all.

The report, the HTML page, the gate and a user's own tooling ask "which checks exist, and what
do they state?" without caring how each is measured: :func:`all_checks` answers with
:class:`ranklens.checks.CheckSpec` values. It lives a layer above the axioms and the claims,
which never import each other. The scoring invariants are not listed: they are properties of a
deployment with no statement or citation of their own (see :mod:`ranklens.invariants`).
"""

from __future__ import annotations

from ranklens.axioms.registry import AXIOMS
from ranklens.checks import CheckSpec
from ranklens.claims.registry import CLAIMS


def all_checks() -> tuple[CheckSpec, ...]:
    """Every registered axiom (one spec per parameter set), then every claim, in registry order."""
    return (*AXIOMS, *CLAIMS)
