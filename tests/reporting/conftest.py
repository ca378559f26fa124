"""A small synthetic province (two districts), audited once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

PERIOD = "2026-10"
DISTRICTS = ["710", "711"]


@pytest.fixture(scope="session")
def audited(tmp_path_factory) -> dict:
    """Generate, write and audit a tiny province; return paths and the input names/IDs."""
    from popqa.pipeline import audit
    from popqa.synth import generate_province

    root = tmp_path_factory.mktemp("popqa_run")
    prov = generate_province(scale=0.01, seed=7, period=PERIOD, districts=DISTRICTS)
    prov.write(root / "data")
    data = root / "data" / "register"
    audit(data, PERIOD, root / "results")
    persons = prov.register.persons
    secrets = set(persons["full_name"].dropna().astype(str).head(300))
    if "citizen_id" in persons.columns:
        secrets |= set(persons["citizen_id"].dropna().astype(str).head(300))
    return {"root": root, "data": data, "results": root / "results", "period": PERIOD,
            "secrets": secrets, "persons": persons}


@pytest.fixture(scope="session")
def one_district_site(audited, tmp_path_factory):
    """The site with the report of the first district, rendered through papermill."""
    from popqa.pipeline import report

    site = tmp_path_factory.mktemp("site")
    # both languages, as a monthly run renders them: each report links its other language
    report(audited["results"], site, districts=[DISTRICTS[0]], workers=1, progress=False, geography="legacy",
           lang="en")
    run = report(audited["results"], site, districts=[DISTRICTS[0]], workers=1, progress=False, geography="legacy")
    return audited, site, run


@pytest.fixture(scope="session")
def commune_site(audited, tmp_path_factory):
    """The 2025 site (the default geography) with the reports of one 2025 commune in both languages."""
    import json

    from popqa.pipeline import report

    site = tmp_path_factory.mktemp("site2025")
    province = json.loads((audited["results"] / PERIOD / "province.json").read_text(encoding="utf-8"))
    code = province["communes_2025"][0]
    runs = [report(audited["results"], site, districts=[code], workers=1, progress=False, lang=lg)
            for lg in ("vi", "en")]
    return audited, site, runs, code


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(config, items):
    """The tests that read the audited province run on one worker (``make test`` runs with ``--dist
    loadgroup``), so the session builds it, and the sites made from it, once instead of once a worker:
    about 75 s of setup on the 2-core machine."""
    here = Path(__file__).parent
    for item in items:
        if "audited" in getattr(item, "fixturenames", ()) and here in Path(item.path).parents:
            item.add_marker(pytest.mark.xdist_group("reporting_audited"))
