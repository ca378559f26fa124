"""benchmarks/run_all.py knows how to call every benchmark script: with ``--scale``, with its own
defaults, or not at all (a script that needs an input named by hand). A new script that fits none
of these fails here instead of failing in a full benchmark run. Also: the benchmark configurations load, and
``compare_audits.py`` (the outputs of two kept audits) finds a difference."""

from __future__ import annotations

import ast
import importlib.util
import json
from pathlib import Path

import pandas as pd
import pytest

BENCH = Path(__file__).resolve().parents[1] / "benchmarks"


def _run_all():
    spec = importlib.util.spec_from_file_location("run_all", BENCH / "run_all.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def _options(path: Path) -> set[str]:
    """The option strings a script's argparse declares."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "add_argument":
            out |= {a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)}
    return out


def test_run_all_knows_how_to_call_every_script():
    run_all = _run_all()
    listed = set(run_all.NO_SCALE) | set(run_all.BY_HAND) | {"bench_synth.py", "bench_linkage.py"}
    for script in sorted(BENCH.glob("bench_*.py")):
        opts = _options(script)
        if script.name in run_all.BY_HAND:
            continue
        if script.name in run_all.NO_SCALE:
            assert "--scale" not in opts, f"{script.name} takes --scale: run it with it"
            required = [n for n in ast.walk(ast.parse(script.read_text(encoding="utf-8")))
                        if isinstance(n, ast.keyword) and n.arg == "required" and getattr(n.value, "value", False)]
            assert not required, f"{script.name} has a required option: it belongs in BY_HAND"
            continue
        assert script.name in listed or "--scale" in opts, (
            f"{script.name}: run_all.py would call it with --scale, which it does not take; "
            "list it in NO_SCALE or BY_HAND")
    for name in listed:
        assert (BENCH / name).is_file(), f"run_all.py lists {name}, which is gone"


def test_benchmark_configs_load():
    """The configurations docs/benchmarks.md names (benchmarks/configs/*.yaml) are valid popqa
    configurations: a renamed setting fails here, not 25 minutes into a 3.38 M audit. Each one
    changes something the defaults do not (a file that changes nothing times the defaults under
    another name), and each is named in docs/benchmarks.md."""
    from popqa.config import load_config

    configs = sorted((BENCH / "configs").glob("*.yaml"))
    assert configs
    defaults = load_config(None)
    named = (BENCH.parent / "docs" / "benchmarks.md").read_text(encoding="utf-8")
    for path in configs:
        cfg = load_config(path)
        assert cfg != defaults, f"{path.name} sets nothing the defaults do not"
        assert f"configs/{path.name}" in named, f"docs/benchmarks.md does not name {path.name}"


def test_compare_audits_finds_a_changed_value_and_nothing_else(tmp_path, capsys):
    """benchmarks/compare_audits.py: the same results compare equal (their models and manifests aside), one
    changed cell is one difference."""
    spec = importlib.util.spec_from_file_location("compare_audits", BENCH / "compare_audits.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    frame = pd.DataFrame({"unit": ["72001", "72004"], "value": [0.25, 0.5]})
    for name in ("a", "b"):
        out = tmp_path / name / "results" / "2026-10"
        (out / "linkage" / "models").mkdir(parents=True)
        frame.to_parquet(out / "indicators.parquet")
        (out / "province.json").write_text(json.dumps({"persons": 10}))
        (out / "linkage" / "models" / "dedupe.json").write_text(json.dumps({"run": name}))  # differs: not compared
    assert mod.main([str(tmp_path / "a"), str(tmp_path / "b")]) == 0
    assert "0 differ" in capsys.readouterr().out
    frame.assign(value=[0.25, 0.75]).to_parquet(tmp_path / "b" / "results" / "2026-10" / "indicators.parquet")
    assert mod.main([str(tmp_path / "a"), str(tmp_path / "b")]) == 1
    assert "1 differ" in capsys.readouterr().out
    assert mod.main([str(tmp_path / "a"), str(tmp_path / "nowhere")]) == 2


def test_cost_ratio_sets_each_large_run_against_the_small_runs_around_it(tmp_path, capsys):
    """benchmarks/cost_ratio.py: each large audit against the mean of the two small audits around it, from
    the scale benchmark's results lines; runs that do not alternate small, large, small are refused."""
    spec = importlib.util.spec_from_file_location("cost_ratio", BENCH / "cost_ratio.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    runs = [("s1", 1_000, 180.0, 230.0, 3600), ("L1", 2_700, 540.0, 700.0, 5300), ("s2", 1_000, 180.0, 240.0, 3700),
            ("L2", 2_700, 500.0, 650.0, 5200), ("s3", 1_000, 200.0, 260.0, 3600)]
    results = tmp_path / "results.jsonl"
    results.write_text("".join(json.dumps({"label": lab, "persons": n, "audit_s": t, "cpu_s": c, "peak_tree_mb": p})
                               + "\n" for lab, n, t, c, p in runs))
    out = tmp_path / "ratio.jsonl"
    assert mod.main(["--labels", "s1,L1,s2,L2,s3", "--results", str(results), "--out", str(out)]) == 0
    line = json.loads(out.read_text())
    assert [b["wall"] for b in line["brackets"]] == [3.0, round(500 / 190, 3)]
    assert line["brackets"][0]["cpu"] == round(700 / 235, 3) and line["brackets"][1]["peak"] == round(5200 / 3650, 3)
    assert line["summary"]["wall"] == {"median": round((3.0 + round(500 / 190, 3)) / 2, 3), "min": round(500 / 190, 3),
                                       "max": 3.0}
    assert "wall: median" in capsys.readouterr().out
    assert mod.main(["--labels", "s1,s2,L1", "--results", str(results), "--out", str(out)]) == 2
    assert "not larger" in capsys.readouterr().err
    with pytest.raises(SystemExit, match="no run labelled s9"):
        mod.main(["--labels", "s1,L1,s9", "--results", str(results), "--out", str(out)])


def test_spy_excess_sets_each_function_of_the_large_profile_against_its_share(tmp_path, capsys):
    """benchmarks/spy_excess.py: two py-spy raw profiles (a process frame whose command line spans lines, as
    ``python -c`` gives) summed per function on the stack, at its top, or below a function; the excess is
    the large profile's seconds less the ratio times the small one's."""
    spec = importlib.util.spec_from_file_location("spy_excess", BENCH / "spy_excess.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    proc = 'process 7:"python -c \nimport x\nrun()"'

    def raw(counts):  # stacks main > stage > (leaf) with their samples
        return "".join(f"{proc};main (a.py:1);stage (popqa/s.py:{i + 2});{leaf} {n}\n"
                       for i, (leaf, n) in enumerate(counts))

    small = tmp_path / "small.txt"
    large = tmp_path / "large.txt"
    small.write_text(raw([("join (popqa/j.py:3)", 40), ("sort (np.py:9)", 80)]))
    large.write_text(raw([("join (popqa/j.py:3)", 400), ("sort (np.py:9)", 240)]))
    assert mod.main([str(small), str(large), "--ratio", "3", "--mode", "self"]) == 0
    out = capsys.readouterr().out
    rows = [line.split() for line in out.splitlines()[2:]]
    # join: 10 s against 3 x 1 s, 7 s in excess; sort: 6 s against 3 x 2 s, none
    assert rows == [["7.0", "1.0", "10.0", "join", "(popqa/j.py)"], ["0.0", "2.0", "6.0", "sort", "(np.py)"]]
    assert "3.0 s small, 16.0 s large (5.33x)" in out
    assert mod.main([str(small), str(large), "--ratio", "3", "--mode", "incl", "--only", "popqa/"]) == 0
    rows = [line.split() for line in capsys.readouterr().out.splitlines()[2:]]
    # both 7 s in excess (the stage's is its join's), main (a.py) left out: not popqa's
    assert rows == [["7.0", "1.0", "10.0", "join", "(popqa/j.py)"], ["7.0", "3.0", "16.0", "stage", "(popqa/s.py)"]]
    assert mod.main([str(small), str(large), "--under", "stage (", "--mode", "child"]) == 0
    rows = [line.split() for line in capsys.readouterr().out.splitlines()[2:]]
    assert [r[3] for r in rows] == ["join", "sort"]
    with pytest.raises(SystemExit):
        mod.main([str(small), str(large), "--mode", "child"])  # child without --under
