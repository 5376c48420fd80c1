"""The versioned JSON report, its schema, and the HTML page rendered from it."""

from ranklens.report.json_report import (
    SCHEMA_VERSION,
    MissingCheck,
    Report,
    RunStatus,
    environment,
    plain,
    read_report,
    report_missing,
    report_status,
    require_writable,
    write_atomic,
    write_report,
)
from ranklens.report.schema import InvalidReportError, report_schema, schema_problems, validate_report

__all__ = [
    "SCHEMA_VERSION",
    "InvalidReportError",
    "MissingCheck",
    "Report",
    "RunStatus",
    "environment",
    "plain",
    "read_report",
    "report_missing",
    "report_schema",
    "report_status",
    "require_writable",
    "schema_problems",
    "validate_report",
    "write_atomic",
    "write_report",
]
