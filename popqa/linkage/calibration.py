"""Calibration of match probabilities from reviewed clerical decisions.

The model's probabilities come from parameters estimated on the register itself and a
threshold chosen on synthetic truth. Clerical decisions on real pairs are the best truth a
province has: once enough pairs are reviewed, they recalibrate the match probability as a
function of the model's match weight (log2 odds), and with it the match weight a pair needs
to reach the threshold.

* ``logistic`` (default): P(match | w) = 1 / (1 + exp(-(a w + b))), scikit-learn
  ``LogisticRegression`` on the match weight (Platt scaling). Two parameters, so a few
  hundred decisions are enough; the model itself is a = ln 2, b = 0.
* ``isotonic``: a non-decreasing step function of w (scikit-learn ``IsotonicRegression``);
  it needs more decisions.

Reviews are chosen by the model's probability (the uncertain band and the pairs a rule kept
apart), that is by w itself, so P(match | w) estimated from them is not biased by the
choice, but it is only known on the weights that were reviewed. Outside the reviewed range
the calibrated curve is not extrapolated: a pair above the highest reviewed weight keeps its
model probability or the calibrated value at that weight, whichever is higher, and below the
lowest reviewed weight whichever is lower (the curve stays non-decreasing).

Pairs a merge rule blocked (twins, distinct citizen IDs) are left out of the fit: their
decision is about the rule, not about the weight. Below ``min_reviews`` decided pairs, or with
fewer than ``min_each`` of either decision, nothing is calibrated
(:class:`NotEnoughReviews`) and the synthetic-truth threshold stands.

A calibration is saved as JSON (no names or IDs: weights, counts and the curve) and read back
by the next run (``dedupe(..., calibration=...)``).

Examples
--------
>>> import numpy as np
>>> w = np.repeat([-2.0, -1.0, 0.0, 1.0, 2.0], 40)
>>> d = np.where(np.tile(np.arange(40), 5) < np.repeat([4, 12, 30, 38, 40], 40), "match", "non-match")
>>> pairs = pd.DataFrame({"person_id_l": [f"A{i}" for i in range(200)], "person_id_r": "B",
...                       "match_weight": w, "match_probability": 2**w / (1 + 2**w)})
>>> cal = fit_calibration(pairs, pairs[["person_id_l", "person_id_r"]].assign(decision=d))  # 30 of 40 match at w = 0
>>> cal.n_reviews, cal.n_match, round(float(cal.probability(np.array([0.0]))[0]), 2)
(200, 124, 0.75)
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from popqa.errors import PopqaError

__all__ = ["Calibration", "NotEnoughReviews", "fit_calibration", "load_calibration", "reviewed_weights"]

METHODS = ("logistic", "isotonic")


class NotEnoughReviews(PopqaError):
    """Too few reviewed pairs (or too few of one decision) to calibrate."""


def _model_probability(w: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp2(-np.asarray(w, dtype="float64")))


@dataclass(frozen=True)
class Calibration:
    """A fitted calibration of match probabilities on the model's match weight.

    Attributes
    ----------
    method : "logistic" or "isotonic".
    params : logistic: ``coef``, ``intercept``; isotonic: ``x``, ``y`` (the step function).
    weight_range : the lowest and highest reviewed match weight (the calibrated range).
    n_reviews, n_match, n_non_match : the decided pairs it was fitted on.
    threshold : the probability threshold of the run it was fitted in.
    curve : per band of match weight: reviewed pairs, matches, observed share of matches,
        mean model probability, mean calibrated probability (the calibration curve).
    """

    method: str
    params: dict[str, Any]
    weight_range: tuple[float, float]
    n_reviews: int
    n_match: int
    n_non_match: int
    threshold: float = 0.7
    curve: pd.DataFrame = field(default_factory=pd.DataFrame, compare=False)

    def _inside(self, w: np.ndarray) -> np.ndarray:
        if self.method == "logistic":
            z = self.params["coef"] * w + self.params["intercept"]
            return 1.0 / (1.0 + np.exp(-z))
        return np.interp(w, np.asarray(self.params["x"]), np.asarray(self.params["y"]))

    def probability(self, weights: Any) -> np.ndarray:
        """Calibrated match probability of pairs with these model match weights."""
        w = np.asarray(weights, dtype="float64")
        lo, hi = self.weight_range
        p = self._inside(np.clip(w, lo, hi))
        model = _model_probability(w)
        p = np.where(w > hi, np.maximum(model, p), p)
        p = np.where(w < lo, np.minimum(model, p), p)
        return p

    def weight_for(self, probability: float) -> float:
        """The smallest match weight whose calibrated probability reaches ``probability``
        (searched between -60 and 60 bits; inf when none does)."""
        grid = np.linspace(-60, 60, 240_001)
        hit = np.nonzero(self.probability(grid) >= probability)[0]
        return float(grid[hit[0]]) if len(hit) else math.inf

    @property
    def weight_threshold(self) -> float:
        """The match weight a pair needs to reach ``threshold`` after calibration."""
        return self.weight_for(self.threshold)

    @property
    def model_weight_threshold(self) -> float:
        """The match weight a pair needed to reach ``threshold`` before calibration."""
        return float(np.log2(self.threshold / (1 - self.threshold)))

    def summary(self) -> dict[str, Any]:
        """What the report shows: sample sizes, the thresholds before and after, the curve."""
        return {
            "method": self.method,
            "n_reviews": self.n_reviews,
            "n_match": self.n_match,
            "n_non_match": self.n_non_match,
            "weight_range": [self.weight_range[0], self.weight_range[1]],
            "threshold": self.threshold,
            "model_weight_threshold": round(self.model_weight_threshold, 4),
            "weight_threshold": round(self.weight_threshold, 4),
            "params": self.params,
            "curve": self.curve.to_dict(orient="records"),
        }

    def save(self, path: str | Path) -> Path:
        """Write the calibration as JSON (atomically)."""
        from popqa.store import write_json

        return write_json(path, self.summary())

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Calibration:
        if d.get("method") not in METHODS:
            raise PopqaError(f"not a popqa linkage calibration: method {d.get('method')!r}")
        return cls(
            method=d["method"],
            params=dict(d["params"]),
            weight_range=(float(d["weight_range"][0]), float(d["weight_range"][1])),
            n_reviews=int(d["n_reviews"]),
            n_match=int(d["n_match"]),
            n_non_match=int(d["n_non_match"]),
            threshold=float(d.get("threshold", 0.7)),
            curve=pd.DataFrame(d.get("curve", [])),
        )


def load_calibration(path: str | Path) -> Calibration:
    """Read a calibration written by :meth:`Calibration.save`."""
    from popqa.errors import InputError

    path = Path(path)
    if not path.exists():
        raise InputError("file not found", file=str(path))
    try:
        return Calibration.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (ValueError, KeyError, TypeError, PopqaError) as exc:
        raise InputError(f"not a linkage calibration: {exc}", file=str(path)) from exc


def reviewed_weights(pairs: pd.DataFrame, reviews: pd.DataFrame) -> pd.DataFrame:
    """The reviewed pairs among the scored ones: match_weight, model probability, y (1 = match).

    Pairs a merge rule blocked and reviewed pairs the run did not score are left out.
    """
    from popqa.linkage.review import normalise_reviews

    rv = normalise_reviews(reviews)
    cols = ["person_id_l", "person_id_r", "match_weight"]
    p = pairs[cols + (["rule"] if "rule" in pairs.columns else [])].copy()
    if "rule" in p.columns:
        p = p[p["rule"].isna()]
    for c in ("person_id_l", "person_id_r"):
        p[c] = p[c].astype("string")
    m = p.merge(rv, on=["person_id_l", "person_id_r"], how="inner")
    m = m[m["match_weight"].notna()]
    return pd.DataFrame({
        "match_weight": m["match_weight"].astype("float64").to_numpy(),
        "model_probability": _model_probability(m["match_weight"].to_numpy()),
        "y": (m["decision"] == "match").astype("int8").to_numpy(),
    })


def _curve(w: np.ndarray, y: np.ndarray, cal: Calibration, bands: int = 8) -> pd.DataFrame:
    edges = np.unique(np.quantile(w, np.linspace(0, 1, bands + 1)))
    if len(edges) < 2:
        edges = np.array([w.min(), w.max()])
    band = np.clip(np.searchsorted(edges, w, side="right") - 1, 0, len(edges) - 2)
    rows = []
    for b in range(len(edges) - 1):
        sel = band == b
        if not sel.any():
            continue
        rows.append({
            "weight_from": round(float(edges[b]), 3),
            "weight_to": round(float(edges[b + 1]), 3),
            "reviewed": int(sel.sum()),
            "matches": int(y[sel].sum()),
            "observed": round(float(y[sel].mean()), 4),
            "model": round(float(_model_probability(w[sel]).mean()), 4),
            "calibrated": round(float(cal.probability(w[sel]).mean()), 4),
        })
    return pd.DataFrame(rows)


def fit_calibration(
    pairs: pd.DataFrame,
    reviews: pd.DataFrame,
    *,
    method: str = "logistic",
    min_reviews: int = 100,
    min_each: int = 10,
    threshold: float = 0.7,
) -> Calibration:
    """Fit a calibration of match probabilities on the reviewed pairs' match weights.

    Parameters
    ----------
    pairs : scored pairs of this run (person_id_l, person_id_r, match_weight, optional rule).
    reviews : clerical decisions (person_id_l, person_id_r, decision), e.g. from
        :func:`popqa.linkage.read_reviews`.
    method : "logistic" or "isotonic".
    min_reviews, min_each : refuse (:class:`NotEnoughReviews`) below this many decided pairs,
        or below ``min_each`` matches or non-matches.
    threshold : the probability at or above which a pair is a duplicate.

    Raises
    ------
    NotEnoughReviews
        Too few decisions, or decisions that do not rise with the weight (logistic slope
        not positive): the model's probabilities stand.
    """
    if method not in METHODS:
        raise ValueError(f"calibration method must be one of {', '.join(METHODS)}, not {method!r}")
    r = reviewed_weights(pairs, reviews)
    n, k = len(r), int(r["y"].sum())
    if n < min_reviews or min(k, n - k) < min_each:
        raise NotEnoughReviews(
            f"{n} reviewed pairs ({k} match, {n - k} non-match) among the scored pairs; calibration needs "
            f"at least {min_reviews}, with at least {min_each} of each decision: the model's probabilities "
            "and the configured threshold stand"
        )
    w = r["match_weight"].to_numpy()
    y = r["y"].to_numpy()
    if method == "logistic":
        from sklearn.linear_model import LogisticRegression

        lr = LogisticRegression(C=100.0, max_iter=1000).fit(w.reshape(-1, 1), y)
        coef, intercept = float(lr.coef_[0][0]), float(lr.intercept_[0])
        if not coef > 0:
            raise NotEnoughReviews(
                f"the {n} reviewed decisions do not become more often 'match' as the match weight rises "
                f"(slope {coef:.3g}): not calibrated, the model's probabilities stand"
            )
        params: dict[str, Any] = {"coef": coef, "intercept": intercept}
    else:
        from sklearn.isotonic import IsotonicRegression

        iso = IsotonicRegression(y_min=0.0, y_max=1.0, increasing=True, out_of_bounds="clip").fit(w, y)
        params = {"x": [float(v) for v in iso.X_thresholds_], "y": [float(v) for v in iso.y_thresholds_]}
    cal = Calibration(method, params, (float(w.min()), float(w.max())), n, k, n - k, threshold)
    return Calibration(method, params, cal.weight_range, n, k, n - k, threshold, _curve(w, y, cal))


def linkage_reviews(cfg: Any) -> dict[str, Any]:
    """``reviews`` and ``calibration`` for :func:`popqa.linkage.dedupe` from a
    :class:`~popqa.linkage.config.LinkageConfig` (``reviews_file``, ``calibration_file``)."""
    from popqa.linkage.review import read_reviews

    out: dict[str, Any] = {}
    if cfg.reviews_file:
        out["reviews"] = read_reviews(cfg.reviews_file)
    if cfg.calibration_file and Path(cfg.calibration_file).exists():
        out["calibration"] = load_calibration(cfg.calibration_file)
    return out


def save_calibration(result: Any, cfg: Any) -> Path | None:
    """Write a calibration fitted in this run to ``cfg.calibration_file`` for the next run.

    Nothing is written when the run only applied the calibration it read, or none was fitted.
    """
    cal = result.calibration
    if cal is None or not cfg.calibration_file:
        return None
    path = Path(cfg.calibration_file)
    if path.exists():
        try:
            if load_calibration(path) == cal:
                return None
        except PopqaError:
            pass
    return cal.save(path)
