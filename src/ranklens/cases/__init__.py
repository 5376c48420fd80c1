"""Cases: seeded samples of fixture pairs, and the controlled perturbations axioms are built from."""

from ranklens.cases.sampling import sample_pairs

__all__ = ["sample_pairs"]
