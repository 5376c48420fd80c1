"""The versioned JSON report, its schema, and the HTML page rendered from it."""

from ranklens.report.json_report import (
    SCHEMA_VERSION,
    Report,
    environment,
    plain,
    read_report,
    write_atomic,
    write_report,
)
from ranklens.report.schema import InvalidReportError, report_schema, schema_problems, validate_report

__all__ = [
    "SCHEMA_VERSION",
    "InvalidReportError",
    "Report",
    "environment",
    "plain",
    "read_report",
    "report_schema",
    "schema_problems",
    "validate_report",
    "write_atomic",
    "write_report",
]
