"""The release gate: compare a candidate report with a baseline, check by check, two-sided.

The rule, written once (every output of the gate cites it). The gate **fails**
(:attr:`Comparison.failed`: exit 1 of ``ranklens compare``, exit status 1 under pytest) when the
candidate is not a full comparison or a check regressed; :attr:`Comparison.failures` says why:

- **Unfinished run**: the candidate's ``status`` is ``interrupted`` or ``error``. Always, even when
  missing checks are allowed: the records it has are the ones that happened to finish.
- **Nothing to gate**: the candidate has no checks, or no check is in both runs. Always.
- **Missing checks**: a check of the baseline has no record in the candidate (each is named, with
  the candidate's reason when its ``missing`` list gives one). ``-k``, ``-m``, a path or a crash
  before recording all look the same here: the candidate does not show the check still holds. The
  user may allow it (``--allow-missing``, ``--ranklens-allow-missing``, ``[tool.ranklens.gate]
  allow_missing = true``); each missing check is then a note.
- **Unmeasured checks**: a candidate record with verdict ``error`` is a regression whatever the
  baseline's verdict (nothing was compared); one of a check the baseline lacks fails the gate too.
- **Regressions** (:attr:`Comparison.regressed`):
  - verdicts rank ``pass`` > ``inconclusive`` > ``fail`` > ``error``; a check whose verdict drops
    is a *regression*, one whose verdict rises an *improvement*;
  - effects are compared as a shift oriented by ``Effect.better`` (positive = better): *paired*
    when both records carry per-case outcomes (the mean over the cases both runs share of
    ``new - base``, with a 95% Student-t interval; the same seed gives the same cases, so this sees
    shifts that two overlapping intervals hide), *unpaired* otherwise (said in the output:
    ``new.value - base.value``, the new interval measured from the baseline's value). A shift is a
    regression when it is below ``-tolerance`` and its interval lies below 0; an improvement when
    above ``+tolerance`` with its interval above 0. Without a stated direction a shift beyond
    tolerance is a *change* to review, never a regression.

Notes, not failures: a ``partial`` candidate that holds every check of the baseline; a candidate
without a ``status`` (a report older than schema 1.2, which predates completeness tracking);
checks only in the candidate (*new*); improvements; an incomplete baseline.

Runs with a different seed, sample size or ranklens version are not comparable: an error
(:class:`MismatchError`, bad input), unless the user allows it, in which case each difference is a note.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import numpy as np
from scipy.stats import t as student_t

from ranklens.errors import RanklensError
from ranklens.gate.config import GateConfig, Tolerance
from ranklens.report import MissingCheck, RunStatus, report_missing, report_status
from ranklens.verdicts import Better, CaseOutcome, CheckResult, Effect, Verdict, one_model_test_id

_VERDICT_RANK = {Verdict.PASS: 3, Verdict.INCONCLUSIVE: 2, Verdict.FAIL: 1, Verdict.ERROR: 0}
CI_LEVEL = 0.95


class MismatchError(RanklensError):
    """The runs differ in seed, sample size or ranklens version, and the user did not allow it."""


class Status(StrEnum):
    """Outcome of one check's comparison, in the order the gate lists them."""

    REGRESSED = "regressed"
    MISSING = "missing"
    IMPROVED = "improved"
    CHANGED = "changed"
    NEW = "new"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class Shift:
    """How far an effect moved, oriented so that positive is better (raw when the direction is unknown)."""

    paired: bool
    value: float
    ci_low: float
    ci_high: float
    n: int
    """Cases the paired mean is over; the new record's n when unpaired."""


@dataclass(frozen=True)
class CheckComparison:
    """One check in both runs and what the gate decided about it, with the reasons in words."""

    key: str
    base: CheckResult | None
    new: CheckResult | None
    status: Status
    tolerance: Tolerance
    shift: Shift | None = None
    reasons: tuple[str, ...] = ()

    @property
    def record(self) -> CheckResult:
        """The new record, or the baseline's for a check the new run lacks."""
        present = self.new or self.base
        if present is None:
            raise ValueError(f"comparison {self.key!r} holds no record")
        return present

    @property
    def effect_name(self) -> str:
        """The effect compared: the new record's, or the baseline's where the new one is undefined."""
        if self.new is not None and math.isfinite(self.new.effect.value):
            return self.new.effect.name
        return self.record.effect.name if self.base is None else self.base.effect.name


@dataclass(frozen=True)
class Comparison:
    """The gate's answer for two runs."""

    checks: tuple[CheckComparison, ...]
    notes: tuple[str, ...] = ()
    incomplete: tuple[str, ...] = ()
    """Why the candidate is not a full comparison (unfinished, empty, missing or unmeasured checks)."""

    def having(self, status: Status) -> list[CheckComparison]:
        return [c for c in self.checks if c.status == status]

    @property
    def regressed(self) -> bool:
        """A check's verdict or effect got worse (one kind of failure; see :attr:`failed`)."""
        return any(c.status == Status.REGRESSED for c in self.checks)

    @property
    def failures(self) -> tuple[str, ...]:
        """Every reason the gate fails, in words: the candidate's incompleteness, then each regression."""
        regressions = tuple(f"{c.key} regressed: {'; '.join(c.reasons)}" for c in self.having(Status.REGRESSED))
        return self.incomplete + regressions

    @property
    def failed(self) -> bool:
        """The gate's decision: what decides the exit status of ``ranklens compare`` and of pytest."""
        return bool(self.failures)


def mismatches(base: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """What makes two reports' samples incomparable: seed, sample size, ranklens version, cases."""
    found = []
    if not _same_case_source(base.get("case_source"), new.get("case_source")):
        found.append(
            f"case source differs: baseline {_source_label(base.get('case_source'))}, "
            f"new {_source_label(new.get('case_source'))}"
        )
    for label, before, after in (
        ("seed", base.get("seed"), new.get("seed")),
        ("sample size", base.get("sample_size"), new.get("sample_size")),
        ("ranklens version", _ranklens_version(base), _ranklens_version(new)),
    ):
        if before != after:
            found.append(f"{label} differs: baseline {_shown(label, before)}, new {_shown(label, after)}")
    return found


def _same_case_source(base: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> bool:
    """Same content hash; a report from before schema 1.4 (no ``case_source``) used the built-in
    corpus, so it matches a built-in run and nothing else."""
    if base is None or new is None:
        other = new if base is None else base
        return other is None or other.get("format") == "builtin"
    return bool(base.get("sha256") == new.get("sha256"))


def _source_label(source: Mapping[str, Any] | None) -> str:
    if source is None:
        return "the built-in corpus (a report from before case sources were recorded)"
    return f"{source.get('name')!r} ({source.get('format')}, sha256 {str(source.get('sha256'))[:12]})"


def _shown(label: str, value: object) -> str:
    """A compared value in words: a null sample size means each check used its default."""
    return "the checks' default sample size" if label == "sample size" and value is None else repr(value)


def _ranklens_version(report: Mapping[str, Any]) -> object:
    return report.get("environment", {}).get("versions", {}).get("ranklens")


def require_comparable(base: Mapping[str, Any], new: Mapping[str, Any], *, allow: bool) -> list[str]:
    """The mismatches as notes when ``allow``; otherwise :class:`MismatchError` if there are any."""
    found = mismatches(base, new)
    if found and not allow:
        raise MismatchError(
            "The baseline was measured on other cases or another harness: "
            + "; ".join(found)
            + ". Re-run with the baseline's seed, sample size and --cases, refresh the baseline, "
            "or allow it (--allow-mismatch, --ranklens-allow-mismatch, or allow_mismatch = true)."
        )
    return [f"allowed: {item}" for item in found]


def compare_reports(base: Mapping[str, Any], new: Mapping[str, Any], config: GateConfig) -> Comparison:
    """Compare two reports (as read by :func:`~ranklens.report.read_report`) by the module's rule."""
    notes = require_comparable(base, new, allow=config.allow_mismatch)
    compared = _compare_all(base["checks"], new["checks"], config)
    if any(c.shift is not None and not c.shift.paired for c in compared):
        notes.append(
            "some checks carry no per-case outcomes: their effects were compared unpaired "
            "(new interval against the baseline's value), which ignores the pairing"
        )
    incomplete = [*_unfinished(new), *_nothing_to_gate(base, new, compared), *_unmeasured_new(compared)]
    missing = _missing_checks(compared, report_missing(new))
    if config.allow_missing:
        notes += [f"allowed: {line}" for line in missing]
    else:
        incomplete += missing
    notes += [*_status_notes(base, new), *_undeclared_expectations(compared, report_missing(new))]
    return Comparison(tuple(compared), tuple(notes), tuple(incomplete))


def _compare_all(
    base: Sequence[Mapping[str, Any]], new: Sequence[Mapping[str, Any]], config: GateConfig
) -> list[CheckComparison]:
    """Every check of either run, compared where both have it, in the order the gate lists them."""
    compared = []
    for key, before, after in _pair_up(base, new):
        if before is not None and after is not None:
            compared.append(compare_checks(key, before, after, config))
        elif before is not None:
            compared.append(CheckComparison(key, before, None, Status.MISSING, config.tolerance(before)))
        elif after is not None:
            compared.append(CheckComparison(key, None, after, Status.NEW, config.tolerance(after)))
    order = list(Status)
    return sorted(compared, key=lambda c: (order.index(c.status), c.key))


def _unfinished(new: Mapping[str, Any]) -> list[str]:
    """The candidate stopped early or failed: what it holds is not the run that was asked for."""
    status = report_status(new)
    if status not in (RunStatus.INTERRUPTED, RunStatus.ERROR):
        return []
    reason = str(new.get("status_reason") or "no reason recorded")
    return [f"the candidate run did not finish (status {status}): {reason}"]


def _nothing_to_gate(base: Mapping[str, Any], new: Mapping[str, Any], compared: Sequence[CheckComparison]) -> list[str]:
    """A comparison that compared no check would pass vacuously."""
    if not new["checks"]:
        return ["the candidate report has no checks: there is nothing to gate"]
    if not base["checks"]:
        return ["the baseline has no checks: there is nothing to gate against"]
    if not any(c.base is not None and c.new is not None for c in compared):
        return ["no check is in both reports: there is nothing to gate"]
    return []


def _missing_checks(compared: Sequence[CheckComparison], declared: Sequence[MissingCheck]) -> list[str]:
    """One line per baseline check without a record in the candidate, with the candidate's reason."""
    lines = []
    for check in compared:
        if check.status == Status.MISSING:
            reason = _declared_reason(check.record, declared)
            lines.append(f"missing {check.key}: the candidate has no record of it ({reason})")
    return lines


def _declared_reason(record: CheckResult, declared: Sequence[MissingCheck]) -> str:
    """The candidate's own reason for lacking ``record``'s check: by test and check id, else by check id."""
    test_id = one_model_test_id(record.test_id)
    exact = [m for m in declared if (one_model_test_id(m.test_id), m.check_id) == (test_id, record.check_id)]
    same_check = [m for m in declared if m.check_id == record.check_id]
    found = exact or same_check
    return f"the candidate says: {found[0].reason}" if found else "the candidate does not say why"


def _unmeasured_new(compared: Sequence[CheckComparison]) -> list[str]:
    """Checks only the candidate has, that it could not measure: the run did not do what it ran."""
    return [
        f"new check {c.key} could not be measured: {_error_message(c.new)}"
        for c in compared
        if c.status == Status.NEW and c.new is not None and c.new.verdict == Verdict.ERROR
    ]


def _status_notes(base: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """What the two runs' statuses tell a reader that does not fail the gate by itself."""
    notes = []
    status = report_status(new)
    if status is None:
        notes.append(
            "the candidate report predates completeness tracking (schema < 1.2): "
            "the gate cannot tell whether the run finished, only which checks it holds"
        )
    elif status == RunStatus.PARTIAL:
        notes.append(f"the candidate is partial ({new.get('status_reason') or 'a selection of the suites'})")
    base_status = report_status(base)
    if base_status not in (None, RunStatus.COMPLETE):
        reason = base.get("status_reason") or "no reason recorded"
        notes.append(f"the baseline is {base_status} ({reason}): checks it lacks are not gated")
    return notes


def _undeclared_expectations(compared: Sequence[CheckComparison], declared: Sequence[MissingCheck]) -> list[str]:
    """Checks the candidate expected but did not record, that the baseline lacks too (so not gated)."""
    in_base = {c.record.check_id for c in compared if c.base is not None}
    return [
        f"the candidate expected {m.check_id} ({m.test_id}) but has no record of it: {m.reason}"
        for m in declared
        if m.check_id not in in_base
    ]


def _error_message(record: CheckResult | None) -> str:
    return (record.message[:200] if record is not None and record.message else "") or "no message recorded"


def compare_checks(key: str, base: CheckResult, new: CheckResult, config: GateConfig) -> CheckComparison:
    """Apply the module's rule to one check present in both runs."""
    tolerance = config.tolerance(new)
    reasons: list[str] = []
    status = Status.UNCHANGED
    base_rank, new_rank = _VERDICT_RANK[base.verdict], _VERDICT_RANK[new.verdict]
    if new.verdict == Verdict.ERROR:
        status = Status.REGRESSED
        reasons.append(f"could not be measured: {_error_message(new)}")
    if new_rank != base_rank:
        status = Status.REGRESSED if new_rank < base_rank else Status.IMPROVED
        reasons.append(f"verdict {base.verdict} -> {new.verdict}")
    shift = effect_shift(base, new)
    better = new.effect.better or base.effect.better
    if shift is not None:
        moved = _beyond(shift, tolerance.value)
        if moved and better is None:
            status = Status.CHANGED if status == Status.UNCHANGED else status
            reasons.append(f"{new.effect.name} moved by {shift.value:+.4g}; its better direction is not stated")
        elif moved == -1:
            status = Status.REGRESSED
            reasons.append(f"{new.effect.name} worse by {-shift.value:.4g}")
        elif moved == 1 and status != Status.REGRESSED:
            status = Status.IMPROVED
            reasons.append(f"{new.effect.name} better by {shift.value:.4g}")
    elif base.effect.name != new.effect.name and _finite(base.effect, new.effect):
        reasons.append(f"effect renamed {base.effect.name} -> {new.effect.name}; compared by verdict only")
    if shift is not None and shift.paired and shift.n < max(len(base.cases), len(new.cases)):
        reasons.append(f"only {shift.n} of {max(len(base.cases), len(new.cases))} cases are in both runs")
    return CheckComparison(key, base, new, status, tolerance, shift, tuple(reasons))


def effect_shift(base: CheckResult, new: CheckResult) -> Shift | None:
    """The oriented shift of the effect: paired over shared cases when both have them, else unpaired."""
    if base.effect.name != new.effect.name or not _finite(base.effect, new.effect):
        return None
    sign = -1.0 if (new.effect.better or base.effect.better) == Better.LOWER else 1.0
    paired = _paired(base.cases, new.cases, sign)
    if paired is not None:
        return paired
    value = sign * (new.effect.value - base.effect.value)
    edges = (sign * (new.effect.ci_low - base.effect.value), sign * (new.effect.ci_high - base.effect.value))
    # + 0.0 turns -0.0 into 0.0, so that an unchanged effect does not print as "-0"
    return Shift(False, value + 0.0, min(edges) + 0.0, max(edges) + 0.0, new.n)


def _paired(base: Sequence[CaseOutcome], new: Sequence[CaseOutcome], sign: float) -> Shift | None:
    before = {case.case_id: case.value for case in base}
    common = [(before[case.case_id], case.value) for case in new if case.case_id in before]
    if len(common) < 2:
        return None
    differences = sign * np.array([after - prior for prior, after in common])  # [case]
    mean = float(differences.mean()) + 0.0
    half = float(student_t.ppf(0.5 + CI_LEVEL / 2, len(differences) - 1) * differences.std(ddof=1))
    half /= math.sqrt(len(differences))
    return Shift(True, mean, mean - half, mean + half, len(differences))


def _beyond(shift: Shift, tolerance: float) -> int:
    """-1 when the shift is a drop beyond tolerance with its interval below 0; +1 for the mirror."""
    if shift.value < -tolerance and shift.ci_high < 0:
        return -1
    if shift.value > tolerance and shift.ci_low > 0:
        return 1
    return 0


def _finite(*effects: Effect) -> bool:
    return all(math.isfinite(v) for e in effects for v in (e.value, e.ci_low, e.ci_high))


def _pair_up(
    base: Sequence[Mapping[str, Any]], new: Sequence[Mapping[str, Any]]
) -> list[tuple[str, CheckResult | None, CheckResult | None]]:
    """Match records across runs by ``check_id[params]``; then match what is left by test id (less
    the ``model=NAME`` part a several-model session adds) and check id, which pairs an ``error``
    record (written without params when a test crashed before recording) with the record the
    baseline has for that test."""
    before, after = _keyed(base), _keyed(new)
    pairs = [(key, record, after.pop(key, None)) for key, record in before.items()]
    leftovers = {(one_model_test_id(r.test_id), r.check_id): key for key, r in after.items()}
    for i, (key, record, match) in enumerate(pairs):
        found = leftovers.pop((one_model_test_id(record.test_id), record.check_id), None) if match is None else None
        if found is not None:
            pairs[i] = (key, record, after.pop(found))
    return pairs + [(key, None, record) for key, record in after.items()]


def _label(record: CheckResult) -> str:
    """``check_id[name=value, ...]``, parameters sorted: how the gate names a check."""
    if not record.params:
        return record.check_id
    params = ", ".join(f"{k}={json.dumps(v, sort_keys=True)}" for k, v in sorted(record.params.items()))
    return f"{record.check_id}[{params}]"


def _keyed(records: Sequence[Mapping[str, Any]]) -> dict[str, CheckResult]:
    """Records by ``check_id[params]``; the test id joins the key only where that is ambiguous."""
    results = [CheckResult.from_dict(record) for record in records]
    keys = [_label(r) for r in results]
    ambiguous = {key for key in keys if keys.count(key) > 1}
    return {(f"{key} @ {r.test_id}" if key in ambiguous else key): r for key, r in zip(keys, results, strict=True)}
