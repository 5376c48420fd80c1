"""The option table, declared once for the pytest plugin and the ``ranklens`` CLI.

Options are parsed into a typed :class:`Settings` when pytest configures (or the CLI starts),
so a bad value is a usage error before any model is loaded.
"""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ranklens.errors import RanklensError

DEFAULT_SEED = 0


@dataclass(frozen=True)
class Option:
    """One command-line option: pytest flag, CLI flag, type and help."""

    flag: str
    dest: str
    help: str
    type: Callable[[str], Any] | None = str
    action: str | None = None
    """``store_true`` for a flag, ``append`` for an option that may be repeated."""
    metavar: str | None = None
    choices: tuple[str, ...] | None = None
    aliases: tuple[str, ...] = ()
    """Short forms pytest also accepts (``--model`` for ``--ranklens-model``)."""

    @property
    def pytest_flags(self) -> tuple[str, ...]:
        return (self.flag, *self.aliases)

    @property
    def cli_flag(self) -> str:
        """The CLI drops the ``--ranklens-`` prefix that pytest needs to avoid clashes."""
        return self.flag.replace("--ranklens-", "--")

    def argparse_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {"dest": self.dest, "help": self.help, "default": None}
        if self.action:
            kwargs["action"] = self.action
        if self.action != "store_true":
            kwargs["type"] = self.type
            kwargs["metavar"] = self.metavar
        if self.choices:
            kwargs["choices"] = self.choices
        return kwargs


def _integer_at_least(minimum: int, what: str) -> Callable[[str], int]:
    """An argparse type whose error reads like every other ranklens message: the value, the rule."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            value = minimum - 1
        if value < minimum:
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}; pass a whole number >= {minimum}")
        return value

    return parse


_positive_int = _integer_at_least(1, "a positive integer")
_seed = _integer_at_least(0, "a seed (a non-negative integer)")


OPTIONS: tuple[Option, ...] = (
    Option(
        "--ranklens-model",
        "ranklens_model",
        "Cross-encoder to test: a Hugging Face id or a local directory "
        "(default: $RANKLENS_MODEL, else the embedded default model). Repeat it to test several models in "
        "one session: every check runs once per model and each model gets its own report (NAME/report.json).",
        action="append",
        metavar="ID_OR_PATH",
        aliases=("--model",),
    ),
    Option(
        "--ranklens-models",
        "ranklens_models",
        "Test every model listed in FILE (one id or path per line; # comments), like repeating --model.",
        type=Path,
        metavar="FILE",
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
        "--ranklens-allow-missing",
        "ranklens_allow_missing",
        "Pass the gate when the run lacks checks the baseline has (-k, -m, a path): each is a note, not a failure. "
        "An interrupted or failed run still fails.",
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
        "--ranklens-seed",
        "ranklens_seed",
        f"Seed for every sample, >= 0 (default {DEFAULT_SEED}).",
        type=_seed,
        metavar="INT",
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
        "Circuit-suite effort: full (default), quick (fewer cases and draws, wider intervals) or exact "
        "(full, and discovery patches every head instead of the candidates an attribution-patching screen "
        "puts forward).",
        choices=("full", "quick", "exact"),
        metavar="PROFILE",
    ),
    Option(
        "--ranklens-cases",
        "ranklens_cases",
        "Draw the cases from SOURCE: a BEIR folder (corpus.jsonl, queries.jsonl, qrels/), a .jsonl of "
        "query/passage[/label] rows, or ir_datasets:ID (default: the built-in Wikipedia corpus).",
        metavar="SOURCE",
    ),
    Option(
        "--ranklens-device",
        "ranklens_device",
        "torch device, e.g. cpu, cuda, cuda:1 (default: cuda if available).",
        metavar="DEVICE",
    ),
    Option(
        "--ranklens-dtype",
        "ranklens_dtype",
        "Weights' dtype: float32 (default), bfloat16 or float16.",
        metavar="DTYPE",
    ),
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
    Option(
        "--ranklens-debug",
        "ranklens_debug",
        "Show the full traceback when the model cannot be loaded (otherwise one paragraph: cause and fix).",
        type=None,
        action="store_true",
    ),
)


@dataclass(frozen=True)
class Settings:
    """What the options say, typed and checked: a bad value stops the run before anything loads."""

    models: tuple[str, ...]
    """The models asked for, in order; empty means the embedded default model."""
    json_path: Path | None
    html_path: Path | None
    baseline_path: Path | None
    allow_mismatch: bool
    allow_missing: bool
    config_path: Path | None
    seed: int
    sample_size: int | None
    profile: str
    cases: str | None
    device: str | None
    dtype: str | None
    max_length: int | None
    revision: str | None
    allow_pickle: bool
    debug: bool = False

    @classmethod
    def from_values(cls, get: Callable[[str], Any]) -> Settings:
        """Build from an option lookup (pytest's ``config.getoption`` or an argparse namespace);
        raises :class:`ValueError` naming the option, the value and the fix."""
        seed = get("ranklens_seed")
        settings = cls(
            models=_models(get("ranklens_model"), get("ranklens_models")),
            json_path=get("ranklens_json"),
            html_path=get("ranklens_html"),
            baseline_path=get("ranklens_baseline"),
            allow_mismatch=bool(get("ranklens_allow_mismatch")),
            allow_missing=bool(get("ranklens_allow_missing")),
            config_path=get("ranklens_config"),
            seed=DEFAULT_SEED if seed is None else seed,
            sample_size=get("ranklens_sample_size"),
            profile=get("ranklens_profile") or "full",
            cases=get("ranklens_cases"),
            device=get("ranklens_device"),
            dtype=get("ranklens_dtype"),
            max_length=get("ranklens_max_length"),
            revision=get("ranklens_revision"),
            allow_pickle=bool(get("ranklens_allow_pickle")),
            debug=bool(get("ranklens_debug")),
        )
        if settings.device is not None or settings.dtype is not None:
            _placement(settings.device, settings.dtype)
        for option, path in (("--ranklens-json", settings.json_path), ("--ranklens-html", settings.html_path)):
            if path is not None:
                _writable(path, option)
        return settings


def _models(given: str | list[str] | None, listing: Path | None) -> tuple[str, ...]:
    """The models asked for: each ``--model`` (pytest repeats it into a list), then the lines of
    ``--ranklens-models FILE``; else ``$RANKLENS_MODEL``. A blank one is refused, because falling
    back to the default model would test something other than what the caller meant (an unset CI
    variable, a typo)."""
    named = [given] if isinstance(given, str) else list(given or [])
    from_env = os.environ.get("RANKLENS_MODEL")
    source = "--model"
    if not named and listing is None and from_env is not None:
        named, source = [from_env], "RANKLENS_MODEL"
    for value in named:
        if not value.strip():
            raise ValueError(
                f"{source} is empty ({value!r}). Pass a Hugging Face id or a checkpoint directory, or leave "
                f"{source} out entirely to test the embedded default model."
            )
    models = [*named, *(listed_models(listing) if listing is not None else [])]
    if len(set(models)) < len(models):
        twice = sorted({m for m in models if models.count(m) > 1})
        raise ValueError(f"{', '.join(map(repr, twice))} is asked for twice; name each model once.")
    return tuple(models)


def listed_models(path: Path) -> list[str]:
    """The models a ``--ranklens-models`` file lists: one hub id or path per line, ``#`` comments."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(
            f"--models {str(path)!r} cannot be read ({error}); pass a text file, one model per line."
        ) from error
    models = [line.split("#", 1)[0].strip() for line in lines]
    if not any(models):
        raise ValueError(f"--models {str(path)!r} lists no model; write one hub id or path per line.")
    return [model for model in models if model]


def _writable(path: Path, option: str) -> None:
    """Refuse a report path that could not be written now, rather than after the whole run."""
    from ranklens.report import require_writable

    try:
        require_writable(path)
    except RanklensError as error:
        raise ValueError(f"{option}: {error} Pass a path in a folder you can write to.") from error


def _placement(device: str | None, dtype: str | None) -> None:
    """Refuse a device this machine does not have, or a dtype ranklens does not run, now rather
    than when the model is loaded (the loader's own checks, so the two can never disagree)."""
    from ranklens.models import parse_dtype, resolve_device

    try:
        resolve_device(device)
        parse_dtype(dtype)
    except RanklensError as error:
        raise ValueError(str(error)) from error
