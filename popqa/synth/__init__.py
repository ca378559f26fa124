"""The synthetic province: a realistic register with injected faults and its ground truth.

>>> from popqa.synth import generate_province
>>> prov = generate_province(scale=0.001, districts=["710"])
>>> sorted(prov.truth) == sorted(["faults", "duplicates", "hard_nonduplicates", "links", "population"])
True
"""

from popqa.synth.population import unit_counts
from popqa.synth.province import SyntheticProvince, generate_province

__all__ = ["generate_province", "SyntheticProvince", "unit_counts"]
