"""The planted BERT: hand-set weights that compute BM25 with known mechanisms, and its lesions."""
