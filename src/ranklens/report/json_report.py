"""Build, write (atomically) and read ``report.json``.

The layout is the contract of DESIGN.md; other tools read it. ``SCHEMA_VERSION`` changes with
any change of meaning: the major part when a reader written for the old layout would misread
the new one, the minor part when fields are only added (1.1 added ``effect.better`` and
``cases``; 1.2 added ``status``, ``status_reason`` and ``missing``, so that the gate can tell a
finished run from one that stopped early or ran a subset; 1.3 added ``gate``, a gated run's
comparison with its baseline, so that the HTML page is drawn from the JSON alone; 1.4 added
``case_source``, where the cases came from, so that the gate never compares two corpora). ``schema.json``
beside this module is the contract in machine-readable form; every report is validated against it
when written and when read.
"""

from __future__ import annotations

import json
import math
import os
import platform
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from ranklens.errors import RanklensError
from ranklens.report.schema import validate_report
from ranklens.verdicts import CheckResult

SCHEMA_VERSION = "1.4"
_VERSIONED_PACKAGES = ("ranklens", "torch", "transformers", "sentence-transformers", "tokenizers", "numpy", "scipy")


class RunStatus(StrEnum):
    """Whether a run covered what it was asked to: the gate refuses to pass what is not a full run."""

    COMPLETE = "complete"
    PARTIAL = "partial"
    """A -k, -m or path selection ran a subset of the product suites."""
    INTERRUPTED = "interrupted"
    """Stopped before the end (Ctrl-C, -x, a crash of the session)."""
    ERROR = "error"
    """The model could not be loaded or the session failed before checks ran."""


@dataclass(frozen=True)
class MissingCheck:
    """A check that was expected in the run but produced no record, and why."""

    test_id: str
    check_id: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return asdict(self)

    @classmethod
    def from_dict(cls, record: Mapping[str, Any]) -> MissingCheck:
        return cls(str(record["test_id"]), str(record["check_id"]), str(record["reason"]))


def creation_time() -> str:
    """Now, or SOURCE_DATE_EPOCH where set (reproducible-builds.org), so two runs with one seed
    can be compared byte for byte."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    moment = datetime.fromtimestamp(int(epoch), UTC) if epoch else datetime.now(UTC)
    return moment.isoformat(timespec="seconds")


@dataclass(frozen=True)
class Report:
    """One run: the model, where it ran, the seed, one record per check, and whether it finished."""

    model: Mapping[str, Any]
    environment: Mapping[str, Any]
    seed: int
    sample_size: int | None
    checks: Sequence[CheckResult] = ()
    status: RunStatus = RunStatus.COMPLETE
    status_reason: str = ""
    """One sentence on the status, e.g. the load error or "-k selected 3 of 26 checks"."""
    missing: Sequence[MissingCheck] = ()
    gate: Mapping[str, Any] | None = None
    case_source: Mapping[str, Any] | None = None
    """Where the cases came from (``ranklens.data.case_source.CaseSource.record``)."""
    """The gate's comparison with a baseline (``ranklens.gate.gate_record``); None when not gated."""
    created: str = field(default_factory=creation_time)
    schema_version: str = SCHEMA_VERSION

    def to_dict(self) -> dict[str, Any]:
        """The report's layout; an ungated run has no ``gate`` key."""
        gate = {} if self.gate is None else {"gate": dict(self.gate)}
        cases = {} if self.case_source is None else {"case_source": dict(self.case_source)}
        return {
            "schema_version": self.schema_version,
            "created": self.created,
            "status": str(self.status),
            "status_reason": self.status_reason,
            "model": dict(self.model),
            "environment": dict(self.environment),
            "seed": self.seed,
            "sample_size": self.sample_size,
            **cases,
            "summary": _summary(self.checks),
            "missing": [m.to_dict() for m in sorted(self.missing, key=lambda m: (m.test_id, m.check_id))],
            **gate,
            "checks": [check.to_dict() for check in sorted(self.checks, key=lambda c: (c.test_id, c.check_id))],
        }


def report_status(data: Mapping[str, Any]) -> RunStatus | None:
    """The run's status as a plain report dict records it; None for a report older than 1.2,
    which does not say whether the run was complete."""
    value = data.get("status")
    return None if value is None else RunStatus(value)


def report_missing(data: Mapping[str, Any]) -> tuple[MissingCheck, ...]:
    """The checks a plain report dict says were expected but produced no record (none before 1.2)."""
    return tuple(MissingCheck.from_dict(record) for record in data.get("missing", ()))


def _summary(checks: Sequence[CheckResult]) -> dict[str, int]:
    counts = {"total": len(checks), "pass": 0, "fail": 0, "inconclusive": 0, "error": 0}
    for check in checks:
        counts[str(check.verdict)] += 1
    return counts


def environment(*, device: str | None = None, dtype: str | None = None) -> dict[str, Any]:
    """Versions and machine facts that can change a result."""
    versions: dict[str, str | None] = {}
    for package in _VERSIONED_PACKAGES:
        try:
            versions[package] = version(package)
        except PackageNotFoundError:
            versions[package] = None
    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "machine": platform.machine(),
        "cpu_count": os.cpu_count(),
        "versions": versions,
        "device": device,
        "dtype": dtype,
    }


def write_report(report: Report | Mapping[str, Any], path: str | os.PathLike[str]) -> Path:
    """Write ``report`` (or its plain dict, e.g. the one the HTML page is rendered from) as JSON to
    ``path`` atomically: readers see the old file or the new one.

    Raises :class:`~ranklens.report.schema.InvalidReportError` (and writes nothing) when a record
    breaks the schema, e.g. a ``details["head_recovery"]`` that is not a matrix.
    """
    target = Path(path)
    data = plain(report.to_dict() if isinstance(report, Report) else report)
    validate_report(data, source=f"the report for {str(target)!r}")
    return write_atomic(target, json.dumps(data, indent=2, allow_nan=False) + "\n")


def write_atomic(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` to ``path`` through a temporary file renamed into place: a reader (or a CI
    step that archives reports) sees the old file or the new one, never half of one. The file is
    readable by all (reports are meant to be shared), or keeps the mode of the file it replaces."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        os.fchmod(handle, target.stat().st_mode & 0o777 if target.exists() else 0o644)
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def read_report(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Load a report and check it is one this version of ranklens can read (schema major and fields)."""
    source = Path(path)
    data = _json_object(source)
    found = str(data.get("schema_version", ""))
    if found.split(".")[0] != SCHEMA_VERSION.split(".")[0]:
        raise RanklensError(
            f"{str(source)!r} has report schema_version {found or 'missing'!r}; this ranklens reads "
            f"{SCHEMA_VERSION.split('.')[0]}.x. Re-run the suites with this version to regenerate it."
        )
    validate_report(data, source=repr(str(source)))
    return data


def _json_object(source: Path) -> dict[str, Any]:
    """The JSON object in ``source``, or an error naming the file and what is wrong with it."""
    if not source.is_file():
        raise RanklensError(f"No report at {str(source)!r}; pass the path of a report.json written by ranklens.")
    hint = "is it a ranklens report?"
    try:
        data = json.loads(source.read_bytes().decode("utf-8"))
    except OSError as error:
        raise RanklensError(f"Cannot read {str(source)!r}: {error.strerror or error}.") from error
    except UnicodeDecodeError as error:
        raise RanklensError(
            f"{str(source)!r} is not UTF-8 text (byte {error.object[error.start]:#04x} at offset {error.start}); "
            f"ranklens writes reports as UTF-8 JSON: {hint}"
        ) from error
    except json.JSONDecodeError as error:
        raise RanklensError(f"{str(source)!r} is not valid JSON ({error}); {hint}") from error
    if not isinstance(data, dict):
        raise RanklensError(
            f"{str(source)!r} holds a JSON {_json_type(data)}, not a ranklens report (a JSON object); {hint}"
        )
    return data


def _json_type(value: object) -> str:
    names = {list: "array", str: "string", bool: "boolean", int: "number", float: "number", type(None): "null"}
    return names.get(type(value), type(value).__name__)


def require_writable(path: str | os.PathLike[str]) -> Path:
    """Raise :class:`RanklensError` now if no file can be written at ``path`` (a directory is there,
    a parent is a file, or no permission), so a run or a render fails before its work, not after."""
    target = Path(path)
    if target.is_dir():
        raise RanklensError(f"Cannot write to {str(target)!r}: it is a directory; pass a file path.")
    ancestor = _nearest_existing(target.parent)
    if not ancestor.is_dir():
        raise RanklensError(f"Cannot write {str(target)!r}: {str(ancestor)!r} is not a directory.")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise RanklensError(f"Cannot write {str(target)!r}: no permission to write in {str(ancestor)!r}.")
    return target


def _nearest_existing(directory: Path) -> Path:
    """``directory`` or its closest ancestor that exists (``write_atomic`` creates the rest)."""
    for candidate in (directory, *directory.parents):
        if candidate.exists():
            return candidate
    return Path.cwd()


def plain(value: Any) -> Any:
    """Plain JSON values: numpy scalars and arrays unwrapped, tuples as lists, NaN and inf as None.

    Strict JSON has no NaN; an undefined effect (an ``error`` verdict) is written as ``null``.
    """
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [plain(v) for v in value]
    if hasattr(value, "tolist"):  # numpy arrays and scalars
        return plain(value.tolist())
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, (str, int, bool)) or value is None:
        return str(value) if isinstance(value, StrEnum) else value
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"cannot write {type(value).__name__} {value!r} to a report")
