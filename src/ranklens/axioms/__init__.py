"""The behavioural axioms: controlled perturbations, measured on seeded cases, decided by one rule."""

from ranklens.axioms.measure import Measurement, calibrate_delta, measure_family, results
from ranklens.axioms.registry import AXIOMS, axiom
from ranklens.axioms.spec import AxiomSpec

__all__ = ["AXIOMS", "AxiomSpec", "Measurement", "axiom", "calibrate_delta", "measure_family", "results"]
