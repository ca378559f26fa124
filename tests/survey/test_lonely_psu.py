"""Lonely PSUs, as R's ``options(survey.lonely.psu=...)``.

Reference: R survey, ``tests/lonely.psu.Rout.save`` (repository cran/survey):
``ds <- svydesign(id=~1, weights=~pw, strata=~dnum, data=apiclus1)`` has one school
in stratum 413.
"""

from __future__ import annotations

import numpy as np
import pytest

from popqa.survey import Design, LonelyPSUWarning

from .conftest import printed


def test_adjust_warns_and_equals_r(api):
    with pytest.warns(LonelyPSUWarning, match="single sampled PSU"):
        ds = Design(api["apiclus1"], weights="pw", strata="dnum")
    # "adjust": svymean(~api00, ds) 644.17 (5.8281); as.svrepdesign(ds) 644.17 (5.8267)
    m = ds.mean("api00")
    assert printed(m.estimate, "644.17") and printed(m.se, "5.8281")
    assert printed(ds.jackknife().mean("api00").se, "5.8267")


def test_remove_and_certainty(api):
    # "remove" and "certainty": 644.17 (5.8058)
    for how in ("remove", "certainty"):
        with pytest.warns(LonelyPSUWarning):
            ds = Design(api["apiclus1"], weights="pw", strata="dnum", lonely_psu=how)
        assert printed(ds.mean("api00").se, "5.8058")


def test_fail_refuses(api):
    with pytest.raises(ValueError, match="single sampled PSU"):
        Design(api["apiclus1"], weights="pw", strata="dnum", lonely_psu="fail")


def test_certainty_stratum_by_fpc_is_not_lonely(api, recwarn):
    # fpc 1 for stratum 413 (sampled exhaustively), 1000 elsewhere: 644.17 (5.7344) under every option
    df = api["apiclus1"].assign(f=np.where(api["apiclus1"]["dnum"] == 413, 1, 1000))
    ds = Design(df, weights="pw", strata="dnum", fpc="f")
    assert not [w for w in recwarn if issubclass(w.category, LonelyPSUWarning)]
    assert printed(ds.mean("api00").se, "5.7344")
    assert printed(ds.jackknife().mean("api00").se, "5.7344")


def test_lonely_psu_in_a_domain_is_centred_as_r(api):
    # ds1 <- ds[-31,] on subset(apiclus1, dnum != 413): stratum 406 keeps one of its two
    # PSUs; 645.14 (5.8909), the domain PSU centred on the stratum mean (R's default
    # survey.adjust.domain.lonely=FALSE)
    df = api["apiclus1"][api["apiclus1"]["dnum"] != 413].reset_index(drop=True)
    ds = Design(df, weights="pw", strata="dnum")
    keep = np.ones(len(df), dtype=bool)
    keep[30] = False
    m = ds.subset(keep).mean("api00")
    assert printed(m.estimate, "645.14") and printed(m.se, "5.8909")
