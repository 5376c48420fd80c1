"""What every registered check is, whatever measures it: the one protocol axioms and claims share.

An axiom is measured from controlled cases and a claim by patching a model's internals, but the
report, the HTML page, the gate and a user's own checks need the same few facts about either:
its stable id, the name of this instance (id plus parameters), its kind, what it states and where
that comes from. :class:`CheckSpec` names exactly those, so downstream code reads a check without
knowing how it is measured; :func:`ranklens.catalog.all_checks` lists every registered one.

A low layer: standard library and the verdict types only, so that any check module can use it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

from ranklens.verdicts import Kind


@runtime_checkable
class CheckSpec(Protocol):
    """A registered check, as everything downstream of its measurement sees it.

    Members are read-only, so frozen dataclasses (:class:`ranklens.axioms.AxiomSpec`,
    :class:`ranklens.claims.registry.ClaimSpec`) and properties both satisfy it.
    """

    @property
    def check_id(self) -> str:
        """Stable id, the report's ``check_id`` (``"TFC1"``, ``"saturation"``): baselines key on it."""
        ...

    @property
    def name(self) -> str:
        """This instance: the id plus its parameters (:func:`spec_name`), unique in the registry."""
        ...

    @property
    def kind(self) -> Kind:
        """``axiom``, ``claim`` or ``invariant``: the report's ``kind``."""
        ...

    @property
    def statement(self) -> str:
        """What the check asserts about a model, in one or two sentences a reviewer can judge."""
        ...

    @property
    def citation(self) -> str:
        """Where the statement comes from, so a verdict can be traced to its source."""
        ...

    @property
    def params(self) -> Mapping[str, Any]:
        """Parameters of this instance (empty for most checks), the report's ``params``."""
        ...


def spec_name(check_id: str, params: Mapping[str, Any]) -> str:
    """``"TFC1[position=append]"``: the id with its parameters in their given order, or the id alone.

    Seeds and lookups key on this string, so it is written once.
    """
    suffix = ",".join(f"{k}={v}" for k, v in params.items())
    return f"{check_id}[{suffix}]" if suffix else check_id
