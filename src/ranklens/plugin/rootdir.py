"""``pytest --model PATH``: find the project's configuration as if PATH were not a test path.

pytest picks its rootdir and configuration file from the positional arguments *before* it
loads plugins from entry points, so it cannot know that ``--model`` takes a value: it reads
``PATH`` as a test path, takes PATH's folder as the rootdir, misses the project's
``pyproject.toml`` (``testpaths``, ``addopts``, ``xfail_strict``) and then collects everything
under the working directory. Once this plugin is loaded (and ``--model`` known) the
determination is repeated without PATH and the configuration adopted, before any conftest or
test is collected. ``--model=PATH`` never had the problem. The same holds for every ranklens
option that takes a value.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

import pytest

from ranklens.plugin.options import OPTIONS

VALUE_OPTIONS = tuple(flag for option in OPTIONS if option.action != "store_true" for flag in option.pytest_flags)
"""Every ranklens option that takes a value: ``--ranklens-json PATH`` and ``--ranklens-models FILE``
mislead pytest's rootdir choice as ``--model PATH`` does."""
_PYTEST_STATE = ("_rootpath", "_inipath", "_inicfg", "_ignored_config_files", "_inicache", "_parser")
"""pytest's private configuration state this module rewrites: checked first, so that a pytest
that has changed it gets a clear refusal with the workaround, never an AttributeError."""


def model_value_taken_as_path(args: Sequence[str]) -> bool:
    """``--model PATH`` (two words) anywhere before a ``--`` on the command line."""
    words = list(args)
    return any(word in VALUE_OPTIONS and i + 1 < len(words) for i, word in enumerate(words))


def realign(config: pytest.Config, args: list[str]) -> None:
    """Redo pytest's rootdir and ini-file choice now that ``--model`` is a known option.

    ``args`` is pytest's own argument list: the ini file's ``addopts`` are swapped in place, the
    way pytest would have added them had it found the file in the first place.
    """
    if not model_value_taken_as_path(config.invocation_params.args):
        return
    try:
        from _pytest.config.findpaths import determine_setup
    except ImportError as error:
        raise _unsupported_pytest() from error
    if not all(hasattr(config, name) for name in _PYTEST_STATE):
        raise _unsupported_pytest()
    namespace = config.known_args_namespace
    rootpath, inipath, inicfg, ignored = determine_setup(
        inifile=namespace.inifilename,
        override_ini=namespace.override_ini,
        args=namespace.file_or_dir,
        rootdir_cmd_arg=namespace.rootdir or None,
        invocation_dir=config.invocation_params.dir,
    )
    if (rootpath, inipath) == (config.rootpath, config.inipath):
        return
    wrong_addopts = list(config.getini("addopts"))
    if wrong_addopts and args[: len(wrong_addopts)] == wrong_addopts:
        del args[: len(wrong_addopts)]
    old_confcutdir = str(config.inipath.parent if config.inipath else config.rootpath)
    config._rootpath, config._inipath, config._inicfg = rootpath, inipath, inicfg
    config._ignored_config_files = ignored
    config._inicache.clear()
    config._parser.extra_info.update(rootdir=str(rootpath), inifile=str(inipath))
    args[:0] = list(config.getini("addopts"))
    config.known_args_namespace = config._parser.parse_known_args(args, namespace=copy.copy(config.option))
    if namespace.confcutdir in (None, old_confcutdir):
        config.known_args_namespace.confcutdir = str(inipath.parent if inipath else rootpath)


def _unsupported_pytest() -> pytest.UsageError:
    return pytest.UsageError(
        f"ranklens: this pytest ({pytest.__version__}) cannot be told that --model takes a value before it "
        "chooses its rootdir, so PATH in `--model PATH` would be collected as tests. Write --model=PATH."
    )
