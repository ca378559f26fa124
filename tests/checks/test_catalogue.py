"""The one rule catalogue: every rule declared once, with an action, and a targeted test per rule.

``CASES`` holds, for every rule id of the catalogue, a minimal register (the
hand-made one of ``tests/checks/frames.py`` broken in one place) with a record
that must be flagged and one that must not. ``test_every_catalogue_rule_has_a_targeted_case``
fails when a rule is added to the catalogue without a case here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from popqa.checks import ChecksConfig, catalogue, coverage_findings, get_rule, run_checks
from popqa.contract import DIMENSIONS, FINDINGS_COLUMNS, SEVERITIES, TABLES
from popqa.io import Register
from tests.checks.frames import GEO, events, households, make, persons
from tests.reconcile.cases import event_findings_case, survey_findings_case

OTHER = "25459"  # another commune of district 703 (Tây Ninh)


@dataclass(frozen=True)
class Case:
    """``build()`` returns the findings of the rule on a register made for it."""

    build: Callable[[], pd.DataFrame]
    flagged: frozenset[str]
    clean: str


def _set(df: pd.DataFrame, key: str, ident: str, **values) -> pd.DataFrame:
    df = df.copy()
    for col, v in values.items():
        df[col] = df[col].astype(object)
        df.loc[df[key] == ident, col] = v
    return df


def _add(df: pd.DataFrame, **row) -> pd.DataFrame:
    return pd.concat([df, pd.DataFrame([{**df.iloc[0].to_dict(), **row}])], ignore_index=True)


def _ev(**row) -> pd.DataFrame:
    base = {"collaborator_id": "C2", "mother_id": None, "other_commune_code": None, "entry_channel": "web",
            "recorded_date": row.get("event_date")}
    return _add(events(), **{**base, **row})


def _checks(rule_id: str, *, config: ChecksConfig | None = None, **frames) -> Callable[[], pd.DataFrame]:
    def build() -> pd.DataFrame:
        return run_checks(make(**frames), config, rules=[rule_id])

    return build


def engine(rule_id: str, flagged, clean: str, **frames) -> Case:
    return Case(_checks(rule_id, **frames), frozenset({flagged} if isinstance(flagged, str) else flagged), clean)


# --------------------------------------------------------------------------- unit-level registers
def _commune(code: str, n: int, *, prefix: str, sex=None, birth=None, hh_size: int = 4, status=1):
    """``n`` present persons of commune ``code`` in households of ``hh_size``."""
    i = np.arange(n)
    hh_ids = [f"{prefix}H{k // hh_size}" for k in i]
    geo = {**GEO, "commune_code": code}
    sexes = sex if sex is not None else np.where(i % 2 == 0, 1, 2)
    births = birth if birth is not None else [f"{1960 + k % 40}-06-15" for k in i]
    pp = pd.DataFrame({
        "person_id": [f"{prefix}P{k}" for k in i], "household_id": hh_ids, "full_name": "Nguyễn Văn A",
        "sex": sexes, "birth_date": births, "birth_date_precision": "day", "relation_to_head": np.where(
            i % hh_size == 0, 1, 3), "marital_status": 1, "citizen_id": None, "mother_id": None,
        "ethnicity_code": "01", "education_level": 3, "residence_status": 1, "status": status,
        "contraceptive_method": None, "updated_at": "2026-01-05 10:00:00", **geo,
    })
    hh = pd.DataFrame({"household_id": sorted(set(hh_ids)), "village": "Ấp 1", "address": "",
                       "collaborator_id": f"{prefix}C", "created_date": "2010-01-01", **geo})
    return hh, pp


def _unit_events(code: str, per_month: list[int], *, prefix: str, kind: str = "contraception_change",
                 persons_of=None) -> pd.DataFrame:
    rows, k = [], 0
    for m, n in zip(pd.period_range("2025-11", "2026-10", freq="M"), per_month, strict=True):
        for _ in range(n):
            d = m.start_time + pd.Timedelta(days=k % 27)
            pid = persons_of[k % len(persons_of)] if persons_of is not None else f"{prefix}P{k}"
            rows.append(dict(event_id=f"{prefix}E{k}", event_type=kind, person_id=pid, household_id=None,
                             event_date=d, recorded_date=d + pd.Timedelta(days=1), collaborator_id=f"{prefix}C",
                             mother_id=None, other_commune_code=None, entry_channel="web",
                             **{**GEO, "commune_code": code}))
            k += 1
    return pd.DataFrame(rows, columns=list(events().columns))


def _units(rule_id: str, a: tuple, b: tuple, ev_a=None, ev_b=None) -> Case:
    """Commune 25456 built from ``a`` must be flagged, commune 25459 built from ``b`` must not."""

    def build() -> pd.DataFrame:
        (hh_a, pp_a), (hh_b, pp_b) = a, b
        parts = [e for e in (ev_a, ev_b) if e is not None]
        ev = pd.concat(parts, ignore_index=True) if parts else events().iloc[0:0]
        reg = make(hh=pd.concat([hh_a, hh_b], ignore_index=True), pp=pd.concat([pp_a, pp_b], ignore_index=True),
                   ev=ev)
        return run_checks(reg, rules=[rule_id])

    return Case(build, frozenset({"25456"}), OTHER)


def _boys(n_boys: int, n_girls: int, prefix: str, code: str):
    sex = [1] * n_boys + [2] * n_girls
    return _commune(code, len(sex), prefix=prefix, sex=sex, birth=["2025-01-01"] * len(sex), hh_size=1)


def _ages(ages: list[int], prefix: str, code: str):
    return _commune(code, len(ages), prefix=prefix, birth=[f"{2026 - a}-01-01" for a in ages])


_EVEN = [6] * 12


# --------------------------------------------------------------------------- linkage and coverage
def _dedupe_findings(rule_id: str) -> Callable[[], pd.DataFrame]:
    def build() -> pd.DataFrame:
        from popqa.linkage.config import LinkageConfig
        from popqa.linkage.dedupe import _findings

        clusters = pd.DataFrame({"person_id": ["P11", "P12", "P13", "P21"], "cluster_id": ["P11", "P11", "P13", "P21"],
                                 "cluster_size": [2, 2, 1, 1]})
        pairs = pd.DataFrame({"person_id_l": ["P11", "P13", "P14"], "person_id_r": ["P12", "P21", "P15"],
                              "match_probability": [0.99, 0.5, 0.1],
                              "review": pd.Series([pd.NA] * 3, dtype="string")})
        f = _findings(clusters, pairs, persons(), households(), LinkageConfig())
        return f[f["rule_id"] == rule_id]

    return build


def _source(table: str, ids: list[str]) -> pd.DataFrame:
    key = TABLES[table].key
    df = pd.DataFrame({c: [None] * len(ids) for c in TABLES[table].names})
    df[key] = ids
    df["commune_code"] = "25456"
    return df


def _coverage(table: str) -> Case:
    def build() -> pd.DataFrame:
        frames = {"households": households(), "persons": persons(), table: _source(table, ["S1", "S2"])}
        reg = Register.from_frames(frames, period="2026-10")
        links = {table: pd.DataFrame({"source_id": ["S1", "S2"], "person_id": ["P11", None]})}
        return coverage_findings(reg, links)

    return Case(build, frozenset({"S2"}), "S1")


# --------------------------------------------------------------------------- the cases
_P, _H, _E = "person_id", "household_id", "event_id"
_CODES = {"V001": ("sex", 3), "V002": ("relation_to_head", 9), "V003": ("marital_status", 7),
          "V004": ("ethnicity_code", "56"), "V005": ("education_level", 8), "V006": ("residence_status", 4),
          "V007": ("status", 5), "V008": ("birth_date_precision", "decade")}

CASES: dict[str, Case] = {
    # completeness
    "C001": engine("C001", "H2", "H1", hh=_set(households(), _H, "H2", village=None)),
    "C002": engine("C002", "P21", "P11", pp=_set(persons(), _P, "P21", full_name=None)),
    "C003": engine("C003", "P21", "P11", pp=_set(persons(), _P, "P21", ethnicity_code=None)),
    "C004": engine("C004", "P21", "P11", pp=_set(persons(), _P, "P21", marital_status=None)),
    "C005": engine("C005", "P21", "P14", pp=_set(persons(), _P, "P21", education_level=None)),
    "C006": engine("C006", "E3", "E1", ev=_set(events(), _E, "E3", recorded_date=None)),
    "C007": _units("C007", (lambda h, p: (h, p.assign(full_name=[None] * 3 + ["A"] * 27)))(
        *_commune("25456", 30, prefix="a")), _commune(OTHER, 30, prefix="b")),
    "C008": engine("C008", "P21", "P14", pp=_set(persons(), _P, "P21", citizen_id=None)),
    # events
    "E001": engine("E001", "E3", "E1", ev=_set(events(), _E, "E3", recorded_date="2026-06-01")),
    "E002": engine("E002", "E3", "E1", ev=_set(events(), _E, "E3", recorded_date="2026-09-15")),
    "E003": engine("E003", "E3", "E1", ev=_set(events(), _E, "E3", person_id="P99")),
    "E004": engine("E004", "E4", "E2", ev=_ev(event_id="E4", event_type="death", person_id="P22", household_id="H2",
                                             event_date="2026-05-02")),
    "E005": engine("E005", "P21", "P22", ev=_ev(event_id="E4", event_type="death", person_id="P21",
                                               household_id="H2", event_date="2026-05-02")),
    "E006": engine("E006", "E1", "E2", ev=_set(events(), _E, "E1", person_id="P98")),
    "E007": engine("E007", "P21", "P11", ev=_ev(event_id="E4", event_type="move_out", person_id="P21",
                                               household_id="H2", event_date="2026-05-02")),
    "E008": engine("E008", "E3", "E1", ev=_set(events(), _E, "E3", event_date="2024-07-01",
                                              recorded_date="2024-07-02")),
    "E009": engine("E009", "E4", "E3", ev=_ev(event_id="E4", event_type="contraception_change", person_id="P22",
                                             household_id="H2", event_date="2026-06-01")),
    "E010": engine("E010", "E1", "E2", ev=_set(events(), _E, "E1", event_date="2026-03-12")),
    "E011": engine("E011", "E3", "E1", ev=_set(events(), _E, "E3", household_id="H9")),
    "E012": engine("E012", "E4", "E2", pp=_set(persons(), _P, "P21", status=3),
                   ev=_ev(event_id="E4", event_type="death", person_id="P21", household_id="H2",
                          event_date="2026-05-02")),
    "E013": engine("E013", "E1", "E2", ev=_set(events(), _E, "E1", recorded_date="2026-05-20")),
    # household structure
    "H001": engine("H001", "H1", "H2", pp=_set(persons(), _P, "P11", relation_to_head=3)),
    "H002": engine("H002", "H1", "H2", pp=_set(persons(), _P, "P12", relation_to_head=1)),
    "H003": engine("H003", "H1", "H2", pp=_set(persons(), _P, "P15", relation_to_head=2)),
    "H004": engine("H004", "P21", "P11", pp=_set(persons(), _P, "P21", birth_date="2015-01-01")),
    "H005": engine("H005", "P21", "P11", pp=_set(persons(), _P, "P21", birth_date="2010-01-01")),
    "H006": engine("H006", "P21", "P12", pp=_set(persons(), _P, "P21", birth_date="2008-01-01", marital_status=2)),
    "H007": engine("H007", "P13", "P14", pp=_set(persons(), _P, "P13", birth_date="1975-01-01")),
    "H008": engine("H008", "P15", "P11", pp=_set(persons(), _P, "P15", birth_date="1990-01-01",
                                                birth_date_precision="day")),
    "H009": engine("H009", "H2", "H1", pp=persons()[lambda d: d[_H] != "H2"]),
    "H010": engine("H010", "H2", "H1", pp=_set(persons(), _P, "P21", status=2)),
    "H011": engine("H011", "P21", "P11", pp=_set(persons(), _P, "P21", household_id="H9")),
    "H012": engine("H012", "H1", "H2", pp=_set(persons(), _P, "P11", marital_status=1)),
    # citizen id
    "I001": engine("I001", "P21", "P11", pp=_set(persons(), _P, "P21", citizen_id="0720903333AB")),
    "I002": engine("I002", "P21", "P11", pp=_set(persons(), _P, "P21", citizen_id="999090333333")),
    "I003": engine("I003", "P21", "P11", pp=_set(persons(), _P, "P21", citizen_id="072190333333")),
    "I004": engine("I004", "P21", "P11", pp=_set(persons(), _P, "P21", citizen_id="072091333333")),
    # mother and child
    "M001": engine("M001", "P13", "P14", pp=_set(persons(), _P, "P13", mother_id="P15")),
    "M002": engine("M002", "E1", "E2", ev=_set(events(), _E, "E1", mother_id="P15")),
    "M003": engine("M003", "P13", "P14", pp=_set(persons(), _P, "P13", mother_id="P99")),
    "M004": engine("M004", "P13", "P14", pp=_set(persons(), _P, "P13", mother_id="P11")),
    "M005": engine("M005", "E1", "E2", ev=_set(events(), _E, "E1", mother_id="P99")),
    # unit-level plausibility (commune 25456 flagged, 25459 not)
    "Q001": _units("Q001", _boys(160, 40, "a", "25456"), _boys(100, 95, "b", OTHER)),
    "Q002": _units("Q002", _commune("25456", 1000, prefix="a", sex=[1] * 800 + [2] * 200),
                   _commune(OTHER, 1000, prefix="b")),
    "Q003": _units("Q003", _commune("25456", 40, prefix="a"), _commune(OTHER, 40, prefix="b"),
                   _unit_events("25456", [4] * 11 + [40], prefix="a", persons_of=[f"aP{k}" for k in range(40)]),
                   _unit_events(OTHER, [4] * 12, prefix="b", persons_of=[f"bP{k}" for k in range(40)])),
    "Q004": _units("Q004", _ages([70] * 100 + [80] * 100, "a", "25456"), _ages(list(range(60, 100)) * 5, "b", OTHER)),
    "Q005": _units("Q005", _ages([30] * 100 + [40] * 100, "a", "25456"), _ages(list(range(23, 63)) * 5, "b", OTHER)),
    "Q006": _units("Q006", _commune("25456", 100, prefix="a"), _commune(OTHER, 100, prefix="b"),
                   _unit_events("25456", [1] * 10 + [0, 0], prefix="a", kind="death",
                                persons_of=[f"aP{k}" for k in range(10)])),
    "Q007": _units("Q007", _commune("25456", 600, prefix="a"), _commune(OTHER, 600, prefix="b"),
                   _unit_events("25456", [9] * 12, prefix="a", kind="birth"),
                   _unit_events(OTHER, [1] * 12, prefix="b", kind="birth")),
    "Q008": _units("Q008", _commune("25456", 600, prefix="a"), _commune(OTHER, 600, prefix="b"),
                   _unit_events("25456", [6] * 12, prefix="a", kind="death", persons_of=["zz"]),
                   _unit_events(OTHER, [1, 0] * 6, prefix="b", kind="death", persons_of=["zz"])),
    "Q009": _units("Q009", _commune("25456", 40, prefix="a"), _commune(OTHER, 40, prefix="b"),
                   None, _unit_events(OTHER, _EVEN, prefix="b", persons_of=[f"bP{k}" for k in range(40)])),
    "Q010": _units("Q010", _commune("25456", 40, prefix="a", hh_size=1), _commune(OTHER, 40, prefix="b")),
    # uniqueness
    "U001": engine("U001", "P21", "P11", pp=_add(persons(), **persons().iloc[5].to_dict())),
    "U002": engine("U002", "H2", "H1", hh=_add(households(), **households().iloc[1].to_dict())),
    "U003": engine("U003", "E3", "E1", ev=_add(events(), **events().iloc[2].to_dict())),
    "U004": engine("U004", {"P11", "P21"}, "P12", pp=_set(persons(), _P, "P21", citizen_id="072080123456")),
    "U005": engine("U005", "E4", "E3", ev=_add(events(), **{**events().iloc[2].to_dict(), "event_id": "E4"})),
    # codes
    **{rid: engine(rid, "P13", "P11", pp=_set(persons(), _P, "P13", **{col: v})) for rid, (col, v) in _CODES.items()},
    "V009": engine("V009", "E3", "E1", ev=_set(events(), _E, "E3", event_type="adoption")),
    "V010": engine("V010", "E3", "E1", ev=_set(events(), _E, "E3", entry_channel="fax")),
    # geography
    "V020": engine("V020", "H2", "H1", hh=_set(households(), _H, "H2", commune_code="99999")),
    "V021": engine("V021", "H2", "H1", hh=_set(households(), _H, "H2", district_code="710")),
    "V022": engine("V022", "P21", "P11", pp=_set(persons(), _P, "P21", commune_code="99999")),
    "V023": engine("V023", "P21", "P11", pp=_set(persons(), _P, "P21", district_code="710")),
    "V024": engine("V024", "E3", "E1", ev=_set(events(), _E, "E3", commune_code="99999")),
    "V025": engine("V025", "E3", "E1", ev=_set(events(), _E, "E3", district_code="710")),
    "V026": engine("V026", "P21", "P11", pp=_set(persons(), _P, "P21", commune_code=OTHER)),
    "V027": engine("V027", "E3", "E1", ev=_set(events(), _E, "E3", other_commune_code="99999")),
    # dates
    "V030": engine("V030", "P21", "P11", pp=_set(persons(), _P, "P21", birth_date="31/02/1980")),
    "V031": engine("V031", "P21", "P11", pp=_set(persons(), _P, "P21", birth_date="2027-01-01")),
    "V032": engine("V032", "E3", "E1", ev=_set(events(), _E, "E3", event_date="2026-12-01",
                                              recorded_date="2026-12-02")),
    "V033": engine("V033", "E3", "E1", ev=_set(events(), _E, "E3", recorded_date="2026-12-01")),
    "V034": engine("V034", "H2", "H1", hh=_set(households(), _H, "H2", created_date="2027-01-01")),
    "V035": engine("V035", "P21", "P15", pp=_set(persons(), _P, "P21", birth_date="1900-01-01")),
    "V036": engine("V036", "P21", "P11", pp=_set(persons(), _P, "P21", updated_at="2027-01-01 08:00:00")),
    "V037": engine("V037", "P21", "P15", pp=_set(persons(), _P, "P21", birth_date_precision="year")),
    # computed outside the engine
    "L001": Case(_dedupe_findings("L001"), frozenset({"P12"}), "P11"),
    "L002": Case(_dedupe_findings("L002"), frozenset({"P21"}), "P15"),
    "X001": _coverage("civil_births"),
    "X002": _coverage("civil_deaths"),
    "X003": _coverage("residents"),
    "X004": _coverage("insurance"),
    # the reconcile stage (hand-made registers of tests/reconcile/cases.py)
    "X010": Case(lambda: event_findings_case("birth"), frozenset({"710", "25654"}), "711"),
    "X011": Case(lambda: event_findings_case("death"), frozenset({"710", "25654"}), "711"),
    "X012": Case(survey_findings_case, frozenset({"711", "72"}), "710"),
}


def test_every_catalogue_rule_has_a_targeted_case():
    ids = {r.rule_id for r in catalogue()}
    assert not ids - set(CASES), f"rules without a targeted case in tests/checks/test_catalogue.py: {sorted(ids - set(CASES))}"
    assert not set(CASES) - ids, f"cases of rules not in the catalogue: {sorted(set(CASES) - ids)}"


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_flags_the_broken_record_and_not_the_clean_one(rule_id):
    case = CASES[rule_id]
    f = case.build()
    assert tuple(f.columns) == FINDINGS_COLUMNS
    assert set(f["rule_id"]) == {rule_id}
    found = set(f["record_id"])
    assert case.flagged <= found, f"{rule_id} missed {sorted(case.flagged - found)}"
    assert case.clean not in found, f"{rule_id} flagged the clean record {case.clean}"
    r = get_rule(rule_id)
    assert (f["severity"] == r.severity).all() and (f["dimension"] == r.dimension).all()
    assert (f["message_vi"] == r.message_vi).all() and (f["message_en"] == r.message_en).all()


def test_the_clean_register_flags_nothing():
    assert len(run_checks(make())) == 0


# --------------------------------------------------------------------------- the catalogue itself
def test_every_rule_is_declared_with_an_action_and_known_settings():
    from popqa.linkage.config import LinkageConfig
    from popqa.reconcile.config import ReconcileConfig

    rules = catalogue()
    assert len({r.rule_id for r in rules}) == len(rules)
    for r in rules:
        assert r.dimension in DIMENSIONS and r.severity in SEVERITIES
        assert len(r.action_vi) > 20 and len(r.action_en) > 20 and r.action_vi != r.action_en
        assert any(ord(ch) > 127 for ch in r.action_vi), f"{r.rule_id}: Vietnamese action without diacritics"
        assert r.action_vi != r.message_vi and r.action_en != r.message_en
        for p in r.parameters:
            if p.startswith("linkage."):
                assert p.removeprefix("linkage.") in LinkageConfig.model_fields, (r.rule_id, p)
            elif p.startswith("reconcile."):
                assert p.removeprefix("reconcile.") in ReconcileConfig.model_fields, (r.rule_id, p)
            else:
                assert p in ChecksConfig.model_fields, (r.rule_id, p)


def test_the_example_action_of_e002():
    r = get_rule("E002")
    assert r.action("vi") == "Nhắc cộng tác viên cập nhật biến động trong 30 ngày; kiểm tra sổ A0 của thôn."
    assert r.action("en") == "Remind the collaborator to record changes within 30 days; check the village A0 sheet."
    assert r.parameters == ("late_days", "use_legal_deadlines")


def test_rules_computed_elsewhere_are_declared_but_never_run_by_the_engine():
    by = {r.rule_id: r.computed_by for r in catalogue()}
    assert {k for k, v in by.items() if v == "linkage"} == {"L001", "L002"}
    assert {k for k, v in by.items() if v == "coverage"} == {"X001", "X002", "X003", "X004"}
    assert {k for k, v in by.items() if v == "reconcile"} == {"X010", "X011", "X012"}
    assert all(r.func is None for r in catalogue(computed_by="coverage"))
    assert all(r.func is None for r in catalogue(computed_by="reconcile"))
    reg = make()
    assert not any(get_rule(k).applies_to(reg) for k in ("L001", "X001"))
    with pytest.raises(ValueError, match="computed by linkage"):
        get_rule("L001").run(None)
    assert len(catalogue(computed_by="engine")) == len(catalogue()) - 9


def test_unknown_rule_id_and_language_are_clear_errors():
    with pytest.raises(KeyError, match="unknown rule id 'Z000'"):
        get_rule("Z000")
    with pytest.raises(ValueError, match="lang"):
        get_rule("E002").action("fr")
    with pytest.raises(ValueError, match="computed_by"):
        catalogue(computed_by="pipeline")


def test_a_rule_without_action_cannot_be_declared():
    from popqa.checks.base import Rule

    with pytest.raises(ValueError, match="recommended action"):
        Rule("Z001", "validity", "error", "persons", "Ví dụ.", "Example.", lambda ctx: None)


def test_docs_list_every_rule_with_its_action():
    from popqa.checks.docs import catalogue_frame, rules_markdown, rules_text

    md = rules_markdown()
    text = rules_text()
    df = catalogue_frame()
    assert set(df["rule_id"]) == {r.rule_id for r in catalogue()}
    for r in catalogue():
        assert f"| {r.rule_id} | {r.action_vi} | {r.action_en} |" in md
        assert r.action_en in text and r.action_vi in rules_text("vi")


def test_coverage_findings_rejects_unknown_sources():
    reg = make()
    with pytest.raises(ValueError, match="no coverage rule"):
        coverage_findings(reg, {"persons": pd.DataFrame({"source_id": [], "person_id": []})})
    with pytest.raises(ValueError, match="no such table"):
        coverage_findings(reg, {"residents": pd.DataFrame({"source_id": [], "person_id": []})})
    assert tuple(coverage_findings(reg, {}).columns) == FINDINGS_COLUMNS


# --------------------------------------------------------------------------- synthetic province
@pytest.mark.slow
def test_catalogue_completeness_on_the_synthetic_province():
    """Every rule_id a small synthetic audit produces is declared in the catalogue."""
    from popqa.linkage import dedupe, link
    from popqa.synth import generate_province

    reg = generate_province(scale=0.01).register
    findings = [run_checks(reg), dedupe(reg.persons, households=reg.households).findings]
    links = {s: link(reg.persons, reg[s], s).links
             for s in ("civil_births", "civil_deaths", "residents", "insurance") if s in reg}
    assert links, "the synthetic province should carry administrative sources"
    findings.append(coverage_findings(reg, links))
    ids = set(pd.concat(findings, ignore_index=True)["rule_id"])
    declared = {r.rule_id for r in catalogue()}
    assert ids <= declared, f"rule ids in findings but not in the catalogue: {sorted(ids - declared)}"
    # the three producers all contributed (engine, dedupe, coverage)
    assert {i[0] for i in ids} >= {"C", "E", "L", "X"}
