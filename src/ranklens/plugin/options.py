"""The option table, declared once for the pytest plugin and the ``ranklens`` CLI.

Options are parsed into a typed :class:`Settings` when pytest configures (or the CLI starts),
so a bad value is a usage error before any model is loaded.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

DEFAULT_SEED = 0


@dataclass(frozen=True)
class Option:
    """One command-line option: pytest flag, CLI flag, type and help."""

    flag: str
    dest: str
    help: str
    type: Callable[[str], Any] | None = str
    action: str | None = None
    metavar: str | None = None
    choices: tuple[str, ...] | None = None

    @property
    def cli_flag(self) -> str:
        """The CLI drops the ``--ranklens-`` prefix that pytest needs to avoid clashes."""
        return self.flag.replace("--ranklens-", "--")

    def argparse_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"dest": self.dest, "help": self.help, "default": None}
        if self.action:
            kwargs["action"] = self.action
        else:
            kwargs["type"] = self.type
            kwargs["metavar"] = self.metavar
        if self.choices:
            kwargs["choices"] = self.choices
        return kwargs


def _positive_int(text: str) -> int:
    value = int(text)
    if value <= 0:
        raise ValueError(f"must be a positive integer, got {text!r}")
    return value


OPTIONS: tuple[Option, ...] = (
    Option(
        "--model",
        "ranklens_model",
        "Cross-encoder to test: a Hugging Face id or a local directory "
        "(default: $RANKLENS_MODEL, else the embedded default model).",
        metavar="ID_OR_PATH",
    ),
    Option(
        "--ranklens-json",
        "ranklens_json",
        "Write the JSON report here (default: reports/report.json when any check ran).",
        type=Path,
        metavar="PATH",
    ),
    Option(
        "--ranklens-html",
        "ranklens_html",
        "Also write the self-contained HTML report here (rendered from the JSON report).",
        type=Path,
        metavar="PATH",
    ),
    Option(
        "--ranklens-baseline",
        "ranklens_baseline",
        "Gate this run against a baseline report.json: a regressed check fails the session.",
        type=Path,
        metavar="PATH",
    ),
    Option(
        "--ranklens-allow-mismatch",
        "ranklens_allow_mismatch",
        "Gate against a baseline with another seed, sample size or ranklens version (warn instead of refusing).",
        type=None,
        action="store_true",
    ),
    Option(
        "--ranklens-config",
        "ranklens_config",
        "pyproject.toml whose [tool.ranklens.gate] sets the gate's tolerances (default: the rootdir's).",
        type=Path,
        metavar="PATH",
    ),
    Option(
        "--ranklens-seed", "ranklens_seed", f"Seed for every sample (default {DEFAULT_SEED}).", type=int, metavar="INT"
    ),
    Option(
        "--ranklens-sample-size",
        "ranklens_sample_size",
        "Cases per check (default: each check's own).",
        type=_positive_int,
        metavar="N",
    ),
    Option(
        "--ranklens-profile",
        "ranklens_profile",
        "Circuit-suite effort: full (default) or quick (fewer cases and draws, wider intervals; for CI).",
        choices=("full", "quick"),
        metavar="PROFILE",
    ),
    Option(
        "--ranklens-device",
        "ranklens_device",
        "torch device, e.g. cpu, cuda, cuda:1 (default: cuda if available).",
        metavar="DEVICE",
    ),
    Option("--ranklens-dtype", "ranklens_dtype", "float32 (default), bfloat16 or float16.", metavar="DTYPE"),
    Option(
        "--ranklens-max-length",
        "ranklens_max_length",
        "Window in tokens (default: the model's).",
        type=_positive_int,
        metavar="TOKENS",
    ),
    Option(
        "--ranklens-revision", "ranklens_revision", "Hub revision (branch, tag or commit) of --model.", metavar="REV"
    ),
    Option(
        "--ranklens-allow-pickle",
        "ranklens_allow_pickle",
        "Allow loading pickled weights (pytorch_model.bin); only for checkpoints you trust.",
        type=None,
        action="store_true",
    ),
)


@dataclass(frozen=True)
class Settings:
    """What the options say, typed."""

    model: str | None
    json_path: Path | None
    html_path: Path | None
    baseline_path: Path | None
    allow_mismatch: bool
    config_path: Path | None
    seed: int
    sample_size: int | None
    profile: str
    device: str | None
    dtype: str | None
    max_length: int | None
    revision: str | None
    allow_pickle: bool

    @classmethod
    def from_values(cls, get: Callable[[str], Any]) -> Settings:
        """Build from an option lookup (pytest's ``config.getoption`` or an argparse namespace)."""
        model = get("ranklens_model") or os.environ.get("RANKLENS_MODEL") or None
        seed = get("ranklens_seed")
        return cls(
            model=model,
            json_path=get("ranklens_json"),
            html_path=get("ranklens_html"),
            baseline_path=get("ranklens_baseline"),
            allow_mismatch=bool(get("ranklens_allow_mismatch")),
            config_path=get("ranklens_config"),
            seed=DEFAULT_SEED if seed is None else seed,
            sample_size=get("ranklens_sample_size"),
            profile=get("ranklens_profile") or "full",
            device=get("ranklens_device"),
            dtype=get("ranklens_dtype"),
            max_length=get("ranklens_max_length"),
            revision=get("ranklens_revision"),
            allow_pickle=bool(get("ranklens_allow_pickle")),
        )
