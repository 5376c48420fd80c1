"""How much an effect may move before the gate calls it a regression: typed, parsed up front.

Tolerances are absolute, in the effect's own units (a rate moves in [0, 1], (pos - neg)/n in
[-1, 1], a mean score difference in logits). They come from, most specific last:

1. the built-in default, :data:`DEFAULT_TOLERANCE`;
2. ``[tool.ranklens.gate] tolerance`` in pyproject.toml (the project's default);
3. ``[tool.ranklens.gate.kind_tolerances]``, by kind (``axiom``, ``claim``, ``invariant``);
4. the ``@pytest.mark.ranklens_tolerance(x)`` marker on a test, module or class (the suite
   author's choice, recorded in the report as ``threshold["regression_tolerance"]`` so that
   ``ranklens compare`` outside pytest applies it too);
5. ``[tool.ranklens.gate.tolerances]``, by check id: the user's explicit override wins over what
   the suite author marked, because the suites ship inside the package and cannot be edited.

A bad value is an error naming the key and the value when options are read, never at the end of a
run.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from ranklens.errors import RanklensError
from ranklens.verdicts import CheckResult, Kind

DEFAULT_TOLERANCE = 0.05
"""Suits rates and (pos - neg)/n, whose scale is [0, 1] or [-1, 1]: a drop of five points is one a
reviewer would act on, and the gate also demands that the drop's interval exclude zero, so the
tolerance does not need to absorb sampling noise. Set it per check for effects on other scales."""

MARKER_KEY = "regression_tolerance"
"""Where a ``ranklens_tolerance`` marker's value travels in a record's ``threshold``."""

_GATE_KEYS = {"tolerance", "allow_mismatch", "allow_missing", "tolerances", "kind_tolerances"}


class GateConfigError(RanklensError):
    """A ``[tool.ranklens.gate]`` table or tolerance value that cannot be used."""


@dataclass(frozen=True)
class Tolerance:
    """An absolute tolerance and where it was set (shown next to every decision it makes)."""

    value: float
    source: str

    def __str__(self) -> str:
        return f"{self.value:g} ({self.source})"


@dataclass(frozen=True)
class GateConfig:
    """The gate's settings, parsed once."""

    default: Tolerance = Tolerance(DEFAULT_TOLERANCE, "default")
    by_kind: Mapping[Kind, Tolerance] = field(default_factory=dict)
    by_check: Mapping[str, Tolerance] = field(default_factory=dict)
    allow_mismatch: bool = False
    """Compare runs whose seed, sample size or ranklens version differ (warn instead of refusing)."""
    allow_missing: bool = False
    """Pass a candidate that lacks checks of the baseline (each a note instead of a failure)."""

    def tolerance(self, record: CheckResult) -> Tolerance:
        """The tolerance that applies to ``record`` (see the module docstring for the order)."""
        if record.check_id in self.by_check:
            return self.by_check[record.check_id]
        marked = record.threshold.get(MARKER_KEY)
        if marked is not None:
            return Tolerance(parse_tolerance(marked, where="ranklens_tolerance marker"), "marker")
        return self.by_kind.get(record.kind, self.default)

    @classmethod
    def from_table(cls, table: Mapping[str, Any], *, source: str) -> GateConfig:
        """Parse a ``[tool.ranklens.gate]`` table; ``source`` names it in errors and provenance."""
        unknown = sorted(set(table) - _GATE_KEYS)
        if unknown:
            raise GateConfigError(
                f"Unknown key(s) {', '.join(unknown)} in {source}; the gate reads {', '.join(sorted(_GATE_KEYS))}."
            )
        default = cls().default
        if "tolerance" in table:
            default = Tolerance(parse_tolerance(table["tolerance"], where=f"{source} tolerance"), source)
        by_kind: dict[Kind, Tolerance] = {}
        for name, value in _subtable(table, "kind_tolerances", source).items():
            if name not in {kind.value for kind in Kind}:
                raise GateConfigError(
                    f"{source}.kind_tolerances has kind {name!r}; kinds are {', '.join(map(str, Kind))}."
                )
            where = f"{source}.kind_tolerances.{name}"
            by_kind[Kind(name)] = Tolerance(parse_tolerance(value, where=where), where)
        by_check = {
            check_id: Tolerance(parse_tolerance(value, where=f"{source}.tolerances.{check_id}"), f"{source}.tolerances")
            for check_id, value in _subtable(table, "tolerances", source).items()
        }
        return cls(
            default=default,
            by_kind=by_kind,
            by_check=by_check,
            allow_mismatch=_flag(table, "allow_mismatch", source),
            allow_missing=_flag(table, "allow_missing", source),
        )

    @classmethod
    def from_pyproject(cls, path: Path | None) -> GateConfig:
        """Read ``[tool.ranklens.gate]`` from ``path``; built-in defaults when there is none."""
        if path is None or not path.is_file():
            return cls()
        try:
            document = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as error:
            raise GateConfigError(f"Cannot read {str(path)!r} for [tool.ranklens.gate]: {error}.") from error
        table = document.get("tool", {}).get("ranklens", {}).get("gate")
        if table is None:
            return cls()
        if not isinstance(table, dict):
            raise GateConfigError(f"[tool.ranklens.gate] in {str(path)!r} must be a table, got {table!r}.")
        return cls.from_table(table, source="[tool.ranklens.gate]")


def load_gate_config(
    explicit: Path | None, fallback: Path, *, allow_mismatch: bool = False, allow_missing: bool = False
) -> GateConfig:
    """The gate settings from ``explicit`` (which must exist) or else ``fallback`` (which may not);
    ``allow_mismatch`` and ``allow_missing`` from the command line allow whatever the file says."""
    if explicit is not None and not explicit.is_file():
        raise GateConfigError(f"No file at {str(explicit)!r} to read [tool.ranklens.gate] from; pass a pyproject.toml.")
    config = GateConfig.from_pyproject(explicit or fallback)
    return replace(
        config,
        allow_mismatch=config.allow_mismatch or allow_mismatch,
        allow_missing=config.allow_missing or allow_missing,
    )


def parse_tolerance(value: object, *, where: str) -> float:
    """A finite, non-negative number, or an error that echoes the value and says what is wanted."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise GateConfigError(
            f"{where} must be a non-negative number in the effect's units (e.g. 0.05), got {value!r}."
        )
    return float(value)


def _flag(table: Mapping[str, Any], key: str, source: str) -> bool:
    value = table.get(key, False)
    if not isinstance(value, bool):
        raise GateConfigError(f"{source} {key} must be true or false, got {value!r}.")
    return value


def _subtable(table: Mapping[str, Any], key: str, source: str) -> Mapping[str, Any]:
    value = table.get(key, {})
    if not isinstance(value, Mapping):
        raise GateConfigError(f"{source}.{key} must be a table of name = tolerance, got {value!r}.")
    return value
