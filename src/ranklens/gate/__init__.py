"""The release gate: a new report against a baseline, under pytest or ``ranklens compare``.

See :mod:`ranklens.gate.compare` for the rule, :mod:`ranklens.gate.config` for tolerances and
:mod:`ranklens.gate.record` for the decision as the report's ``gate`` field.
"""

from ranklens.gate.baseline import Baseline
from ranklens.gate.compare import (
    CheckComparison,
    Comparison,
    MismatchError,
    Shift,
    Status,
    compare_reports,
    require_comparable,
)
from ranklens.gate.config import (
    DEFAULT_TOLERANCE,
    MARKER_KEY,
    GateConfig,
    GateConfigError,
    Tolerance,
    load_gate_config,
    parse_tolerance,
)
from ranklens.gate.record import gate_record
from ranklens.gate.table import advisory_lines, failure_lines, flagged_lines, headline, printable, table

__all__ = [
    "DEFAULT_TOLERANCE",
    "MARKER_KEY",
    "Baseline",
    "CheckComparison",
    "Comparison",
    "GateConfig",
    "GateConfigError",
    "MismatchError",
    "Shift",
    "Status",
    "Tolerance",
    "advisory_lines",
    "compare_reports",
    "failure_lines",
    "flagged_lines",
    "gate_record",
    "headline",
    "load_gate_config",
    "parse_tolerance",
    "printable",
    "require_comparable",
    "table",
]
