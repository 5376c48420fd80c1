"""The report's JSON Schema (``schema.json``, shipped in the package) and validation against it.

The schema is the contract other tools read; writing and reading both validate, so a report that
breaks it is never written and a damaged one is refused with the place of the problem, not
misread by the gate or drawn wrongly in the HTML.
"""

from __future__ import annotations

import json
from functools import cache
from importlib.resources import files
from typing import Any

from jsonschema import Draft202012Validator

from ranklens.errors import RanklensError


class InvalidReportError(RanklensError):
    """A report that does not follow the schema of its major version."""


@cache
def report_schema() -> dict[str, Any]:
    """The JSON Schema of ``report.json`` (draft 2020-12)."""
    schema: dict[str, Any] = json.loads(files("ranklens.report").joinpath("schema.json").read_text(encoding="utf-8"))
    return schema


@cache
def _validator() -> Draft202012Validator:
    return Draft202012Validator(report_schema())


def schema_problems(data: Any, *, limit: int = 5) -> list[str]:
    """Where ``data`` breaks the schema, as ``path: reason`` lines (at most ``limit``); empty if valid."""
    errors = sorted(_validator().iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    return [f"{e.json_path}: {e.message}" for e in errors[:limit]]


def validate_report(data: Any, *, source: str) -> None:
    """Raise :class:`InvalidReportError` naming ``source`` and each problem if ``data`` is not a report."""
    problems = schema_problems(data)
    if problems:
        listed = "; ".join(problems)
        raise InvalidReportError(
            f"{source} is not a valid ranklens report ({listed}). "
            "Regenerate it with `ranklens run` or pytest --ranklens-json, or fix the fields named."
        )
