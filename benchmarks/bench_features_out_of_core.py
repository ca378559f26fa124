"""The police residence records' model with its two feature frames held in pandas (as
``popqa.linkage.model.run_splink`` registers them) or written to Parquet and read by DuckDB views with the
pandas copies dropped (issue 16: a measured estimate of what holding the linkage's features out of core
would save). The register stays in memory in both, as in the audit; the model is trained and scored as
``run_splink`` does (same settings, ``linkage.memory_limit: 2500MB``). Figures in docs/benchmarks.md,
"Three ways to a lower peak that did not lower it" (the last part).

Usage (heavy: wrap in ``flock /tmp/bench.lock``)::

    .venv/bin/python benchmarks/bench_features_out_of_core.py REGISTER_DIR pandas|parquet|parquet-nocache

``parquet-nocache`` is ``parquet`` with DuckDB's cache of file blocks off (``enable_external_file_cache``),
which shares the memory limit with the model's working memory. Since 2026-12-04 the audit's link stage
reads its features this way (``popqa.linkage.frames.FrameFile``; docs/benchmarks.md, "tenth measurement").
"""

from __future__ import annotations

import gc
import json
import sys
import tempfile
import time

from bench_link_models import _reset_peak, _status


def main(data: str, mode: str) -> None:
    from splink import DuckDBAPI, Linker

    from popqa import textkeys
    from popqa.io import read_register
    from popqa.linkage import model as M
    from popqa.linkage.config import LinkageConfig
    from popqa.linkage.features import person_features, recent_move_ins
    from popqa.linkage.link import _reference_year, source_frame
    from popqa.period import Period

    cfg = LinkageConfig(memory_limit="2500MB")
    reg = read_register(data, period="2026-10")
    moved = recent_move_ins(reg.get("events"), Period.parse("2026-10").end, cfg.mover_months)
    left = person_features(reg.persons[textkeys.first_of_each(reg.persons["person_id"])], move_in_ids=moved)
    right = source_frame(reg["residents"], "residents", persons=reg.persons,
                         reference_year=_reference_year(reg.persons))
    left, right, settled = M.settle_by_id(left, right, cfg)
    n_left, n_right = len(left), len(right)
    gc.collect()
    rss0 = _status("VmRSS")
    _reset_peak()  # the kernel's high-water mark from here
    t0 = time.perf_counter()
    con = M._connect(cfg)
    db = DuckDBAPI(connection=con)
    with tempfile.TemporaryDirectory(prefix="popqa-ooc-") as tmp:
        if mode == "parquet-nocache":  # DuckDB's cache of file blocks shares the memory limit
            con.execute("SET enable_external_file_cache = false")
        if mode.startswith("parquet"):
            for name, df in (("a_register", left), ("b_source", right)):
                df.to_parquet(f"{tmp}/{name}.parquet", index=False)
                con.execute(f"CREATE VIEW {name} AS SELECT * FROM read_parquet('{tmp}/{name}.parquet')")
            del left, right, df
            gc.collect()
            inputs = [db.register("a_register", table_name="a_register_in"),
                      db.register("b_source", table_name="b_source_in")]
        else:
            inputs = M._register(db, left, right)
        rss1 = _status("VmRSS")
        settings = M._settings("residents", "link_only", M._prior(n_left, n_right), cfg, settled=bool(settled.any()))
        linker = M._train(Linker(inputs, settings, log_level=None), "residents", cfg, None)
        pred = linker.inference.predict(threshold_match_probability=cfg.min_probability)
        n = con.execute(f"SELECT count(*) FROM {pred.physical_name}").fetchall()[0][0]
        con.close()
    print(json.dumps({"mode": mode, "s": round(time.perf_counter() - t0, 1), "rss_before": round(rss0),
                      "rss_after_registering": round(rss1), "peak": round(_status("VmHWM")), "pairs": n}), flush=True)


if __name__ == "__main__":
    if len(sys.argv) != 3 or sys.argv[2] not in ("pandas", "parquet", "parquet-nocache"):
        raise SystemExit(__doc__)
    main(sys.argv[1], sys.argv[2])
