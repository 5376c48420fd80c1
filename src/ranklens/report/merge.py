"""One model's report from runs of its suites made apart (on a cluster: one job per suite).

The merged report is the one a single run of those suites writes: the same records, and the
status that run would have had (complete when every suite ran and lacked nothing), so a gate
reading it cannot tell, and cannot be fooled: a part that failed, stopped early or lacks checks
makes the whole so too.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ranklens.report.json_report import MissingCheck, Report, RunStatus, report_missing, report_status
from ranklens.resources import SUITES
from ranklens.verdicts import CheckResult

_WORST_FIRST = (RunStatus.ERROR, RunStatus.INTERRUPTED)


def merge_suite_reports(parts: Mapping[str, Mapping[str, Any]]) -> Report:
    """``parts``: suite name -> that suite's report (one model, one seed). Raises ``ValueError``
    when the parts are not runs of one model with one seed, sample size and case source."""
    if not parts:
        raise ValueError("no suite reports to merge")
    first = next(iter(parts.values()))
    for key in ("model", "seed", "sample_size", "case_source"):
        if any(part.get(key) != first.get(key) for part in parts.values()):
            raise ValueError(f"the suite reports differ in {key}; they are not runs of one model alike")
    checks = [CheckResult.from_dict(record) for part in parts.values() for record in part["checks"]]
    missing = [m for part in parts.values() for m in report_missing(part)]
    status, reason = _status(parts, checks, missing)
    return Report(
        model=first["model"],
        environment=first["environment"],
        seed=first["seed"],
        sample_size=first.get("sample_size"),
        checks=checks,
        status=status,
        status_reason=reason,
        missing=missing,
        case_source=first.get("case_source"),
    )


def _status(
    parts: Mapping[str, Mapping[str, Any]], checks: Sequence[CheckResult], missing: Sequence[MissingCheck]
) -> tuple[RunStatus, str]:
    statuses = {suite: report_status(part) or RunStatus.ERROR for suite, part in parts.items()}
    for worst in _WORST_FIRST:
        failed = [suite for suite, status in statuses.items() if status == worst]
        if failed:
            reasons = "; ".join(f"{suite}: {parts[suite].get('status_reason', '')}" for suite in failed)
            return worst, reasons
    unselected = [suite for suite in SUITES if suite not in parts]
    if missing or unselected:
        narrowed = [*([f"{len(missing)} checks missing"] if missing else [])]
        narrowed += [f"suites not (wholly) selected: {', '.join(unselected)}"] if unselected else []
        return RunStatus.PARTIAL, f"a subset of the product suites ran ({'; '.join(narrowed)})"
    ran = len({check.test_id for check in checks})
    return RunStatus.COMPLETE, f"all {ran} selected checks ran"
