"""The versioned JSON report: what a run found, for people (HTML) and the release gate."""

from ranklens.report.json_report import SCHEMA_VERSION, Report, environment, plain, read_report, write_report

__all__ = ["SCHEMA_VERSION", "Report", "environment", "plain", "read_report", "write_report"]
