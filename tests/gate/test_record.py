"""The gate's answer as the report's ``gate`` field (ranklens.gate.record): plain JSON that says
what the terminal says, with the numbers of each row, on synthetic reports."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from typing import Any

from ranklens.gate import GateConfig, compare_reports, gate_record, headline
from ranklens.verdicts import Verdict

Make = Callable[..., Any]
NOISY = [0.6 + (0.3 if i % 2 else -0.3) for i in range(50)]


def test_the_decision_is_the_comparisons_failed_rule(make_report: Make, make_record: Make) -> None:
    base = make_report(make_record("TFC1", NOISY), make_record("LNC1", NOISY))
    kept = compare_reports(base, make_report(make_record("TFC1", NOISY), make_record("LNC1", NOISY)), GateConfig())
    lost = compare_reports(base, make_report(make_record("TFC1", NOISY)), GateConfig())
    found = [(gate_record(c, baseline="b.json")["decision"], c.failed) for c in (kept, lost)]
    assert found == [("passed", False), ("failed", True)], found


def test_the_record_says_what_the_terminal_says(make_report: Make, make_record: Make) -> None:
    base = make_report(make_record("TFC1", NOISY), make_record("LNC1", NOISY))
    comparison = compare_reports(base, make_report(make_record("TFC1", [v - 0.2 for v in NOISY])), GateConfig())
    record = gate_record(comparison, baseline="reports/baselines/b.json")
    expected = (
        "reports/baselines/b.json",
        headline(comparison),
        list(comparison.failures),
        list(comparison.notes),
        ["TFC1", "LNC1"],
    )
    found = (
        record["baseline"],
        record["headline"],
        record["failures"],
        record["notes"],
        [c["check"] for c in record["checks"]],
    )
    assert found == expected, record


def test_a_regressed_row_carries_the_numbers_the_page_shows(make_report: Make, make_record: Make) -> None:
    base, new = make_report(make_record("TFC1", NOISY)), make_report(make_record("TFC1", [v - 0.2 for v in NOISY]))
    row = gate_record(compare_reports(base, new, GateConfig()), baseline="b.json")["checks"][0]
    shift = row["shift"]
    found = (
        row["status"],
        row["baseline"]["verdict"],
        round(row["baseline"]["effect"]["value"], 6),
        round(row["new"]["effect"]["value"], 6),
        (shift["paired"], round(shift["value"], 6), shift["n"]),
        row["tolerance"],
        row["reasons"][0],
    )
    expected = (
        "regressed",
        "pass",
        0.6,
        0.4,
        (True, -0.2, 50),
        {"value": 0.05, "source": "default"},
        "mean_difference worse by 0.2",
    )
    assert found == expected, row


def test_an_unmeasured_check_and_a_missing_one_are_strict_json_with_nulls(make_report: Make, make_record: Make) -> None:
    crashed = make_record("TFC1", paired=False, verdict=Verdict.ERROR)
    crashed = dataclasses.replace(crashed, effect=dataclasses.replace(crashed.effect, value=float("nan")))
    base = make_report(make_record("TFC1"), make_record("LNC1"))
    record = gate_record(compare_reports(base, make_report(crashed), GateConfig()), baseline="b.json")
    rows = {row["check"]: row for row in json.loads(json.dumps(record, allow_nan=False))["checks"]}
    found = (rows["TFC1"]["new"]["effect"]["value"], rows["TFC1"]["shift"], rows["LNC1"]["new"], rows["LNC1"]["status"])
    assert found == (None, None, None, "missing"), rows
