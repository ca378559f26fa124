"""Speed of the demography stage (rates, life tables, projections) on the synthetic province.

Generates the province (not timed), writes it as Parquet, reads it back in
the same process, then times what the audit's demography stage computes
(:func:`popqa.demography.stage.demography_results`: indicator rows, life
tables, annual projection; and the age-reporting quality rows) and its parts:
the inputs counted once (exposure, events, ages), the rates of the four
levels (province, district, legacy and 2025 commune), life tables and
projections. Prints the province's main
figures beside the generator's own death rate.

    .venv/bin/python benchmarks/bench_demography.py --scale 1.0
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--seed", type=int, default=20261)
    ap.add_argument("--period", default="2026-10")
    args = ap.parse_args(argv)

    from popqa.demography import DemographyConfig
    from popqa.demography.quality import age_quality_rows
    from popqa.demography.rates import rates_table
    from popqa.demography.stage import (
        demography_inputs,
        demography_results,
        unit_life_tables,
        unit_projections,
    )
    from popqa.io import read_register
    from popqa.synth import generate_province
    from popqa.synth.events import EVENT_RATES

    t0 = time.perf_counter()
    prov = generate_province(scale=args.scale, seed=args.seed, period=args.period)
    with tempfile.TemporaryDirectory() as tmp:
        prov.write(Path(tmp), fmt="parquet")
        del prov
        reg = read_register(Path(tmp) / "register")
    t_gen = time.perf_counter() - t0
    cfg = DemographyConfig()
    t = time.perf_counter()
    res = demography_results(reg, period=args.period, config=cfg)
    rows = res.indicators
    t_results = time.perf_counter() - t
    t = time.perf_counter()
    quality = age_quality_rows(reg, period=args.period, province_code="72")
    t_quality = time.perf_counter() - t
    t_stage = t_results + t_quality
    # parts, timed apart
    parts = {}
    t = time.perf_counter()
    inp = demography_inputs(reg, period=args.period, config=cfg)
    parts["inputs (exposure, events, ages)"] = time.perf_counter() - t
    t = time.perf_counter()
    for level in ("province", "district", "commune"):
        rates_table(inp.persons, inp.exposure, inp.events, level=level, config=cfg)
    parts["rates, 3 legacy levels"] = time.perf_counter() - t
    t = time.perf_counter()
    rates_table(inp.persons, inp.exposure, inp.events, level="commune_2025", config=cfg)
    parts["rates, 2025 communes"] = time.perf_counter() - t
    t = time.perf_counter()
    for level in ("province", "district"):
        unit_life_tables(inp, level=level, config=cfg)
    parts["life tables"] = time.perf_counter() - t
    t = time.perf_counter()
    for level in ("province", "district"):
        unit_projections(inp, level=level, config=cfg)
    parts["projections"] = time.perf_counter() - t
    peak_mb = next(int(x.split()[1]) for x in open("/proc/self/status") if x.startswith("VmHWM:")) / 1024

    print(f"scale {args.scale}: {len(reg.persons):,} person records, {len(reg.events):,} events "
          f"(generate + write + read {t_gen:.1f} s, not timed)")
    print(f"demography stage: {t_stage:.1f} s (demography_results {t_results:.1f} s, {len(rows):,} indicator rows, "
          f"{len(res.life_tables):,} life-table rows, {len(res.projection):,} projection rows; age quality "
          f"{t_quality:.1f} s, {len(quality):,} rows), peak RSS {peak_mb:,.0f} MB")
    for k, v in parts.items():
        print(f"  {k}: {v:.1f} s")
    prov_rows = rows[(rows["level"] == "province") & (rows["group"].isin(["", "sex=1", "sex=2"]))]
    for _, r in prov_rows.iterrows():
        print(f"  {r['indicator_id']:<26} {r['group']:<6} {r['value']:10.3f} [{r['ci_low']:.3f}, {r['ci_high']:.3f}] "
              f"{r['status']}")
    print(f"  generator's death rate: {1000 * EVENT_RATES['death']:.2f} per 1,000 present persons")
    p2030 = rows[(rows["indicator_id"] == "projected_population") & (rows["level"] == "province")
                 & rows["group"].str.fullmatch(r"scenario=\w+;year=2030")]
    for _, r in p2030.iterrows():
        print(f"  projected 2030 {r['group']:<40} {r['value']:12,.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
