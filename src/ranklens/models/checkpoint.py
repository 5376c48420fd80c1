"""Find a checkpoint on disk (local directory or Hugging Face hub) and check it is a cross-encoder.

Everything here runs before any weights are read, so a bad input fails fast with a message that
names the problem and the fix: the JSON files are parsed and shape-checked, the safetensors
headers are checked against the file sizes, and a tokenizer vocabulary must be present. ranklens
never enables ``trust_remote_code`` and never unpickles weights unless the caller passes
``allow_pickle=True``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from transformers import AutoConfig, PretrainedConfig

from ranklens.errors import ModelLoadError
from ranklens.models.adapters import adapter_for
from ranklens.models.tokenizer_check import require_tokenizer_files
from ranklens.models.weights_check import safetensors_problem

SAFE_WEIGHTS = ("model.safetensors", "model.safetensors.index.json")
PICKLE_WEIGHTS = ("pytorch_model.bin", "pytorch_model.bin.index.json")
_HUB_FILE_PATTERNS = ("*.json", "*.safetensors", "*.txt", "*.model", "*.spm")

_RESAVE = (
    "Repair the file, or re-save the checkpoint with save_pretrained() "
    "(CrossEncoder.save() for a sentence-transformers folder)."
)


@dataclass(frozen=True)
class Checkpoint:
    """A cross-encoder checkpoint located on disk and validated."""

    model_id: str
    """What the user passed: a hub id or a path."""
    path: Path
    """The directory holding ``config.json`` and the weights (a sentence-transformers
    CrossEncoder's transformer module directory, where that differs from the root)."""
    revision: str | None
    """The hub commit the files came from; ``None`` for a local directory."""
    config: PretrainedConfig
    pickle_weights: bool
    """True when the weights are only available as a pickle (``pytorch_model.bin``)."""

    @property
    def weights_file(self) -> Path:
        """The file transformers reads the weights from (an index for sharded weights)."""
        names = PICKLE_WEIGHTS if self.pickle_weights else SAFE_WEIGHTS
        return next((self.path / n for n in names if (self.path / n).exists()), self.path / names[0])


def locate_checkpoint(
    model: str | os.PathLike[str], *, revision: str | None = None, allow_pickle: bool = False
) -> Checkpoint:
    """Resolve ``model`` to a validated local checkpoint directory (no weights are read)."""
    model_id = os.fspath(model)
    if not model_id.strip():
        raise ModelLoadError("The model name is empty. Pass a Hugging Face id (org/name) or a directory.")
    if _looks_like_path(model_id):
        _refuse_revision_of_directory(model_id, revision)
        root, commit = _local_directory(model_id), None
    else:
        root, commit = _hub_snapshot(model_id, revision, allow_pickle)
    path = _transformer_directory(root, model_id)
    config = _cross_encoder_config(path, model_id)
    adapter_for(config.model_type)  # an unsupported family fails here, before any weights are read
    pickle_only = _pickle_only(path, model_id, allow_pickle)
    if not pickle_only:
        _check_safetensors(path, model_id, from_hub=commit is not None)
    require_tokenizer_files(path, model_id)
    tokenizer_settings(path, model_id)  # a malformed tokenizer_config.json fails here, not in transformers
    return Checkpoint(model_id, path, commit, config, pickle_only)


# -- the window -------------------------------------------------------------------------------------


def tokenizer_settings(path: Path, model_id: str) -> dict[str, Any]:
    """The contents of ``tokenizer_config.json`` (empty when there is none)."""
    file = path / "tokenizer_config.json"
    settings: dict[str, Any] = _read_json(file, model_id, expected=dict) if file.exists() else {}
    return settings


# -- where the files are ----------------------------------------------------------------------------


def _looks_like_path(model_id: str) -> bool:
    """A hub id is ``name`` or ``org/name``; anything else that could be a path is one."""
    if Path(model_id).expanduser().exists():
        return True
    starts = ("/", "./", "../", "~", ".\\")
    return model_id.startswith(starts) or model_id.count("/") > 1 or "\\" in model_id or model_id in {".", ".."}


def _refuse_revision_of_directory(model_id: str, revision: str | None) -> None:
    if revision:
        raise ModelLoadError(
            f"revision={revision!r} (--ranklens-revision) was given with the local directory {model_id!r}, but "
            "revisions apply to hub ids; a local directory has no revisions: drop --ranklens-revision or pass the "
            "hub id."
        )


def _local_directory(model_id: str) -> Path:
    path = Path(model_id).expanduser()
    if not path.exists():
        raise ModelLoadError(
            f"No such directory: {model_id!r}. Pass an existing checkpoint directory (one holding "
            "config.json and model.safetensors) or a Hugging Face id such as "
            "'cross-encoder/ms-marco-MiniLM-L-12-v2'."
        )
    if not path.is_dir():
        raise ModelLoadError(f"{model_id!r} is a file; pass the checkpoint directory that contains it.")
    return path.resolve()


def _hub_snapshot(model_id: str, revision: str | None, allow_pickle: bool) -> tuple[Path, str | None]:
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import (
        HfHubHTTPError,
        IncompleteSnapshotError,
        LocalEntryNotFoundError,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    patterns = [*_HUB_FILE_PATTERNS, "*.bin"] if allow_pickle else list(_HUB_FILE_PATTERNS)
    try:
        path = Path(snapshot_download(model_id, revision=revision, allow_patterns=patterns))
    except IncompleteSnapshotError as error:
        raise ModelLoadError(
            f"The cached copy of {model_id!r} is incomplete ({one_line(error)}). Download it again with network "
            f"access (`hf download {model_id}`), or pass a local directory."
        ) from error
    except LocalEntryNotFoundError as error:
        raise _not_cached(model_id, revision) from error
    except RevisionNotFoundError as error:
        raise ModelLoadError(
            f"{model_id!r} has no revision {revision!r}; pass an existing branch, tag or commit."
        ) from error
    except RepositoryNotFoundError as error:
        raise ModelLoadError(
            f"No Hugging Face repository {model_id!r} (and no local directory of that name). Check the "
            "spelling, or log in with `hf auth login` if it is private."
        ) from error
    except HfHubHTTPError as error:
        raise ModelLoadError(f"Could not download {model_id!r}: {one_line(error)}") from error
    return path, path.name if path.parent.name == "snapshots" else revision


def _not_cached(model_id: str, revision: str | None) -> ModelLoadError:
    """Offline and not found: say whether the id is missing from the cache or only this revision is."""
    offline = f"HF_HUB_OFFLINE={os.environ.get('HF_HUB_OFFLINE', 'unset')}"
    cached = _cached_revisions(model_id)
    if not cached:
        return ModelLoadError(
            f"{model_id!r} is not a local directory and is not in the Hugging Face cache, and the hub "
            f"cannot be reached ({offline}). Download it once with network access (`hf download {model_id}`), "
            "or pass a local directory."
        )
    wanted = revision or "main"
    return ModelLoadError(
        f"{model_id!r} is in the Hugging Face cache, but revision {wanted!r} is not (cached: {', '.join(cached)}), "
        f"and the hub cannot be reached ({offline}). Download that revision once with network access "
        f"(`hf download {model_id} --revision {wanted}`), or pass a cached revision (--ranklens-revision)."
    )


def _cached_revisions(model_id: str) -> list[str]:
    """The refs (``main (0123abcd)``) and bare commits of ``model_id`` in the hub cache, if any."""
    from huggingface_hub import constants
    from huggingface_hub.file_download import repo_folder_name

    repo = Path(constants.HF_HUB_CACHE) / repo_folder_name(repo_id=model_id, repo_type="model")
    snapshots = repo / "snapshots"
    commits = sorted(p.name for p in snapshots.iterdir() if p.is_dir()) if snapshots.is_dir() else []
    refs: dict[str, str] = {}
    if (repo / "refs").is_dir():
        for ref in sorted(p for p in (repo / "refs").rglob("*") if p.is_file()):
            refs[ref.relative_to(repo / "refs").as_posix()] = ref.read_text().strip()
    named = [f"{name} ({commit[:8]})" for name, commit in refs.items() if commit in commits]
    return named + [commit for commit in commits if commit not in refs.values()]


def _transformer_directory(root: Path, model_id: str) -> Path:
    """The directory of the Hugging Face model inside a sentence-transformers folder, or ``root``."""
    modules_file = root / "modules.json"
    if not modules_file.exists():
        return root
    modules = _sentence_transformers_modules(modules_file, model_id)
    types = [str(m.get("type", "")) for m in modules]
    st_config = root / "config_sentence_transformers.json"
    model_type = _read_json(st_config, model_id, expected=dict).get("model_type") if st_config.exists() else None
    if model_type != "CrossEncoder" and (model_type is not None or any("Pooling" in t for t in types)):
        raise ModelLoadError(
            f"{model_id!r} is a sentence-transformers {model_type or 'SentenceTransformer'} "
            "(a bi-encoder: it embeds query and document separately, then compares the vectors), "
            "not a cross-encoder that reads the pair together. ranklens tests cross-encoders: pass a "
            "checkpoint with a sequence-classification head, e.g. 'cross-encoder/ms-marco-MiniLM-L-6-v2'."
        )
    transformer = next((m for m in modules if str(m.get("type", "")).endswith("Transformer")), None)
    return root / str(transformer.get("path", "")) if transformer else root


def _sentence_transformers_modules(modules_file: Path, model_id: str) -> list[dict[str, Any]]:
    """``modules.json``: a JSON array of objects, one per sentence-transformers module."""
    modules: list[Any] = _read_json(modules_file, model_id, expected=list)
    for i, module in enumerate(modules):
        if not isinstance(module, dict):
            raise ModelLoadError(
                f"{model_id!r}: modules.json ({str(modules_file)!r}) entry #{i} is a JSON {_json_kind(module)}, "
                f'but each entry must be an object such as {{"type": "...Transformer", "path": ""}}. {_RESAVE}'
            )
    return modules


# -- config.json ------------------------------------------------------------------------------------


def _cross_encoder_config(path: Path, model_id: str) -> PretrainedConfig:
    config_file = path / "config.json"
    if not config_file.exists():
        raise ModelLoadError(
            f"{model_id!r} has no config.json in {str(path)!r}, so it is not a Hugging Face checkpoint. "
            "Save the model with save_pretrained() (or CrossEncoder.save()) and pass that directory."
        )
    raw: dict[str, Any] = _read_json(config_file, model_id, expected=dict)
    if "auto_map" in raw:
        raise ModelLoadError(
            f"{model_id!r} needs custom modelling code (config.json has 'auto_map'). ranklens never "
            "enables trust_remote_code; use a checkpoint of a standard transformers architecture."
        )
    if not (isinstance(raw.get("model_type"), str) and raw["model_type"]):
        raise ModelLoadError(
            f"{model_id!r}: config.json ({str(config_file)!r}) has no 'model_type' entry (the architecture family, "
            'e.g. "model_type": "bert"), so transformers cannot tell what the weights are. Add it, or re-save the '
            "checkpoint with save_pretrained()."
        )
    try:
        config: PretrainedConfig = AutoConfig.from_pretrained(path)
    except Exception as error:  # transformers raises many kinds for a bad config; all mean the same here
        raise ModelLoadError(
            f"{model_id!r}: transformers cannot read config.json ({str(config_file)!r}): {one_line(error)}. {_RESAVE}"
        ) from error
    _require_classification_head(config, model_id)
    return config


def _require_classification_head(config: PretrainedConfig, model_id: str) -> None:
    architectures = list(getattr(config, "architectures", None) or [])
    if not any(a.endswith("ForSequenceClassification") for a in architectures):
        found = ", ".join(architectures) or "no 'architectures' entry"
        raise ModelLoadError(
            f"{model_id!r} is not a cross-encoder: its config declares {found}, but ranklens needs a "
            "*ForSequenceClassification head that scores a (query, document) pair. A masked-LM or bare "
            "encoder checkpoint has no trained relevance head; fine-tune one first (e.g. with "
            "sentence-transformers' CrossEncoder) or pass a reranker such as "
            "'cross-encoder/ms-marco-MiniLM-L-6-v2'."
        )
    if config.num_labels not in (1, 2):
        raise ModelLoadError(
            f"{model_id!r} has {config.num_labels} output labels ({config.id2label}); a reranker score "
            "needs one logit (a relevance score) or two (non-relevant, relevant). Pass a "
            "cross-encoder with one or two labels."
        )


# -- the weights ------------------------------------------------------------------------------------


def _pickle_only(path: Path, model_id: str, allow_pickle: bool) -> bool:
    if any((path / name).exists() for name in SAFE_WEIGHTS):
        return False
    if any((path / name).exists() for name in PICKLE_WEIGHTS):
        if not allow_pickle:
            raise ModelLoadError(
                f"{model_id!r} ships its weights only as a pickle (pytorch_model.bin). Unpickling can run "
                "arbitrary code, so ranklens refuses by default. Convert the checkpoint to safetensors "
                "(load it and save_pretrained() it), or pass allow_pickle=True "
                "(--ranklens-allow-pickle) if you trust its source."
            )
        return True
    raise ModelLoadError(
        f"{model_id!r} has no weights in {str(path)!r} (looked for {', '.join(SAFE_WEIGHTS + PICKLE_WEIGHTS)})."
    )


def _check_safetensors(path: Path, model_id: str, *, from_hub: bool) -> None:
    """Refuse a truncated or overwritten safetensors file (or a missing shard) from its header alone."""
    single, index = (path / name for name in SAFE_WEIGHTS)
    files = [single] if single.exists() else _shards(index, model_id)
    for file in files:
        if not file.is_file():
            problem: str | None = f"{index.name} lists {file.name}, which is missing"
        else:
            problem = safetensors_problem(file)
        if problem is not None:
            how = f"`hf download {model_id} --force-download`" if from_hub else "save_pretrained() it again"
            raise ModelLoadError(
                f"{model_id!r}: the weights file {str(file)!r} is damaged: {problem}. The checkpoint cannot be "
                f"loaded; re-save or re-download the checkpoint ({how})."
            )


def _shards(index: Path, model_id: str) -> list[Path]:
    weight_map = _read_json(index, model_id, expected=dict).get("weight_map")
    if not (isinstance(weight_map, dict) and weight_map):
        raise ModelLoadError(
            f"{model_id!r}: {index.name} ({str(index)!r}) has no 'weight_map' naming the shard files. {_RESAVE}"
        )
    return [index.parent / str(name) for name in sorted(set(weight_map.values()))]


# -- reading JSON -----------------------------------------------------------------------------------


def _read_json(file: Path, model_id: str, *, expected: type[dict[str, Any]] | type[list[Any]]) -> Any:
    """Parse ``file``, refusing text that is not JSON or a JSON value of another kind than ``expected``."""
    try:
        value = json.loads(file.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ModelLoadError(
            f"{model_id!r}: {file.name} ({str(file)!r}) is not valid JSON ({error.msg} at line {error.lineno} "
            f"column {error.colno}). {_RESAVE}"
        ) from error
    except (OSError, UnicodeDecodeError) as error:
        raise ModelLoadError(
            f"{model_id!r}: {file.name} ({str(file)!r}) cannot be read as UTF-8 text ({one_line(error)}). {_RESAVE}"
        ) from error
    if not isinstance(value, expected):
        raise ModelLoadError(
            f"{model_id!r}: {file.name} ({str(file)!r}) holds a JSON {_json_kind(value)} where a JSON "
            f"{_json_kind(expected())} is expected. {_RESAVE}"
        )
    return value


def _json_kind(value: object) -> str:
    if isinstance(value, bool):
        return "boolean"
    kinds = {dict: "object", list: "array", str: "string", int: "number", float: "number", type(None): "null"}
    return kinds.get(type(value), type(value).__name__)


def one_line(error: BaseException, limit: int = 300) -> str:
    """An exception's text as one short line, so a message stays one paragraph."""
    text = " ".join(str(error).split()) or type(error).__name__
    return text if len(text) <= limit else text[: limit - 1] + "…"


__all__ = ["Checkpoint", "locate_checkpoint", "one_line"]
