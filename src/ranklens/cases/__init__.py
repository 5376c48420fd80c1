"""Cases: seeded samples of fixture pairs, and the controlled perturbations axioms are built from."""

from ranklens.cases.sampling import fixture_corpus, sample_pairs

__all__ = ["fixture_corpus", "sample_pairs"]
