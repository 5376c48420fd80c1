"""Find a checkpoint on disk (local directory or Hugging Face hub) and check it is a cross-encoder.

Everything here runs before any weights are read, so a bad input fails fast with a message that
names the problem and the fix. ranklens never enables ``trust_remote_code`` and never
unpickles weights unless the caller passes ``allow_pickle=True``.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from transformers import AutoConfig, PretrainedConfig

from ranklens.errors import ModelLoadError
from ranklens.models.adapters import adapter_for

SAFE_WEIGHTS = ("model.safetensors", "model.safetensors.index.json")
PICKLE_WEIGHTS = ("pytorch_model.bin", "pytorch_model.bin.index.json")
_HUB_FILE_PATTERNS = ("*.json", "*.safetensors", "*.txt", "*.model", "*.spm")


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


def locate_checkpoint(
    model: str | os.PathLike[str], *, revision: str | None = None, allow_pickle: bool = False
) -> Checkpoint:
    """Resolve ``model`` to a validated local checkpoint directory."""
    model_id = os.fspath(model)
    if not model_id.strip():
        raise ModelLoadError("The model name is empty. Pass a Hugging Face id (org/name) or a directory.")
    if _looks_like_path(model_id):
        root, commit = _local_directory(model_id), None
    else:
        root, commit = _hub_snapshot(model_id, revision, allow_pickle)
    path = _transformer_directory(root, model_id)
    config = _cross_encoder_config(path, model_id)
    adapter_for(config.model_type)  # an unsupported family fails here, before any weights are read
    return Checkpoint(model_id, path, commit, config, _pickle_only(path, model_id, allow_pickle))


def _looks_like_path(model_id: str) -> bool:
    """A hub id is ``name`` or ``org/name``; anything else that could be a path is one."""
    if Path(model_id).expanduser().exists():
        return True
    starts = ("/", "./", "../", "~", ".\\")
    return model_id.startswith(starts) or model_id.count("/") > 1 or "\\" in model_id or model_id in {".", ".."}


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
        LocalEntryNotFoundError,
        RepositoryNotFoundError,
        RevisionNotFoundError,
    )

    patterns = [*_HUB_FILE_PATTERNS, "*.bin"] if allow_pickle else list(_HUB_FILE_PATTERNS)
    try:
        path = Path(snapshot_download(model_id, revision=revision, allow_patterns=patterns))
    except LocalEntryNotFoundError as error:
        raise ModelLoadError(
            f"{model_id!r} is not a local directory and is not in the Hugging Face cache, and the hub "
            f"cannot be reached (HF_HUB_OFFLINE={os.environ.get('HF_HUB_OFFLINE', 'unset')}). Download it "
            f"once with network access (`hf download {model_id}`), or pass a local directory."
        ) from error
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
        raise ModelLoadError(f"Could not download {model_id!r}: {error}") from error
    return path, path.name if path.parent.name == "snapshots" else revision


def _transformer_directory(root: Path, model_id: str) -> Path:
    """The directory of the Hugging Face model inside a sentence-transformers folder, or ``root``."""
    modules_file = root / "modules.json"
    if not modules_file.exists():
        return root
    modules = json.loads(modules_file.read_text())
    types = [str(m.get("type", "")) for m in modules]
    st_config = root / "config_sentence_transformers.json"
    model_type = json.loads(st_config.read_text()).get("model_type") if st_config.exists() else None
    if model_type != "CrossEncoder" and (model_type is not None or any("Pooling" in t for t in types)):
        raise ModelLoadError(
            f"{model_id!r} is a sentence-transformers {model_type or 'SentenceTransformer'} "
            "(a bi-encoder: it embeds query and document separately, then compares the vectors), "
            "not a cross-encoder that reads the pair together. ranklens tests cross-encoders: pass a "
            "checkpoint with a sequence-classification head, e.g. 'cross-encoder/ms-marco-MiniLM-L-6-v2'."
        )
    transformer = next((m for m in modules if str(m.get("type", "")).endswith("Transformer")), None)
    return root / str(transformer.get("path", "")) if transformer else root


def _cross_encoder_config(path: Path, model_id: str) -> PretrainedConfig:
    config_file = path / "config.json"
    if not config_file.exists():
        raise ModelLoadError(
            f"{model_id!r} has no config.json in {str(path)!r}, so it is not a Hugging Face checkpoint. "
            "Save the model with save_pretrained() (or CrossEncoder.save()) and pass that directory."
        )
    raw = json.loads(config_file.read_text())
    if "auto_map" in raw:
        raise ModelLoadError(
            f"{model_id!r} needs custom modelling code (config.json has 'auto_map'). ranklens never "
            "enables trust_remote_code; use a checkpoint of a standard transformers architecture."
        )
    try:
        config: PretrainedConfig = AutoConfig.from_pretrained(path)
    except (ValueError, KeyError) as error:
        raise ModelLoadError(f"{model_id!r}: transformers cannot read its config.json ({error}).") from error
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
    return config


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
