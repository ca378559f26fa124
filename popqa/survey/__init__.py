"""Design-based survey estimation, as R's ``survey`` package.

:class:`Design` describes a (multistage, stratified, weighted) sample; its
``mean``, ``total``, ``ratio`` and ``proportion`` give an :class:`Estimate` (or a
DataFrame per category or ``by=`` group) with Taylor-linearised standard errors,
intervals and design effects. ``subset`` makes a domain, ``poststratify`` and
``calibrate`` adjust the weights (with calibration-aware variances), and
``jackknife`` gives a :class:`ReplicateDesign`. See ``docs/survey.md``.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"psu": [1, 1, 2, 2, 3, 3], "y": [1.0, 2, 3, 4, 5, 7], "w": [10.0] * 6})
>>> d = Design(df, ids="psu", weights="w")
>>> e = d.mean("y")
>>> round(e.estimate, 4), round(e.se, 4)
(3.6667, 1.3017)
"""

from popqa.survey.design import Design, Estimate, LonelyPSUWarning
from popqa.survey.indicators import estimates_to_indicator_rows
from popqa.survey.replicate import ReplicateDesign

__all__ = ["Design", "Estimate", "ReplicateDesign", "LonelyPSUWarning", "estimates_to_indicator_rows"]
