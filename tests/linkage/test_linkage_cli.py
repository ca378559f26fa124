import pandas as pd

from popqa.cli import main


def test_dedupe_cli_writes_pairs_clusters_and_review(persons, tmp_path, capsys):
    src = tmp_path / "persons.csv"
    persons.to_csv(src, index=False)
    out = tmp_path / "out" / "pairs.csv"
    rc = main(["dedupe", "--persons", str(src), "--out", str(out), "--review-out", str(tmp_path / "r.xlsx")])
    assert rc == 0
    pairs = pd.read_csv(out, dtype=str)
    clusters = pd.read_csv(tmp_path / "out" / "pairs_clusters.csv", dtype=str)
    assert {"person_id_l", "person_id_r", "match_probability"} <= set(pairs.columns)
    assert len(clusters) == len(persons)
    assert clusters.set_index("person_id").loc["P02", "cluster_id"] == "P01"
    assert (tmp_path / "r.xlsx").exists()
    assert "duplicate records" in capsys.readouterr().out


def test_link_cli_writes_links(persons, tmp_path):
    left = tmp_path / "persons.parquet"
    persons.to_parquet(left)
    deaths = pd.DataFrame({"registration_id": ["D1"], "full_name": ["Hoàng Thị Lan"], "sex": [2],
                           "birth_date": ["1940-08-15"], "death_date": ["2026-01-02"],
                           "commune_code": ["25461"], "registration_date": ["2026-01-05"]})
    right = tmp_path / "civil_deaths.csv"
    deaths.to_csv(right, index=False)
    out = tmp_path / "links.parquet"
    assert main(["link", "--left", str(left), "--right", str(right), "--kind", "civil_deaths", "--out", str(out)]) == 0
    links = pd.read_parquet(tmp_path / "links_links.parquet")
    assert links["person_id"].tolist() in (["P09"], ["P10"])


def test_cli_bad_input_is_one_line_exit_2(tmp_path, capsys):
    rc = main(["dedupe", "--persons", str(tmp_path / "nope.csv"), "--out", str(tmp_path / "x.csv")])
    assert rc == 2
    assert "not found" in capsys.readouterr().err
