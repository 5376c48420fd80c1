"""Where the product suites and their data are: the repository, or the installed wheel.

The suites (invariants/, axioms/, circuits/) and data/ live once in git, at the repository
root; the wheel carries the same files under ``ranklens/suites/``. An editable install or a
source checkout finds them at the root, an installed wheel finds them inside the package.
"""

from __future__ import annotations

from pathlib import Path

from ranklens.errors import RanklensError

SUITES: tuple[str, ...] = ("invariants", "axioms", "circuits")
_PACKAGE_DIR = Path(__file__).resolve().parent


def suites_root() -> Path:
    """The directory holding the suite folders and ``data/``."""
    for candidate in (_PACKAGE_DIR / "suites", _PACKAGE_DIR.parents[1]):
        if (candidate / "data").is_dir() and (candidate / SUITES[0]).is_dir():
            return candidate
    raise RanklensError(
        f"Cannot find the ranklens suites next to {str(_PACKAGE_DIR)!r}: the installation is incomplete. "
        "Reinstall ranklens (pip install --force-reinstall ranklens) or run from a source checkout."
    )


def data_dir() -> Path:
    """The committed case data (queries, passages, relevance labels, term statistics)."""
    return suites_root() / "data"


def suite_paths(names: tuple[str, ...] = SUITES) -> list[Path]:
    """Paths of the named suites, for pytest to collect."""
    root = suites_root()
    unknown = [name for name in names if name not in SUITES]
    if unknown:
        raise RanklensError(f"Unknown suite(s) {', '.join(unknown)}; choose from {', '.join(SUITES)}.")
    return [root / name for name in names]
