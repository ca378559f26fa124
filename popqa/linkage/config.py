"""Settings of deduplication and record linkage."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator


def size_mb(text: str | None) -> float | None:
    """A memory size written as DuckDB takes it ('2GB', '2500MB', '3.5 GiB'; 1 GB = 1024 MB), in MB; None
    for None, an empty text or a size that cannot be read.

    >>> size_mb("2GB"), size_mb("2500 mb"), size_mb("1.5GiB"), size_mb("lots"), size_mb(None)
    (2048.0, 2500.0, 1536.0, None, None)
    """
    t = str(text or "").strip().upper().replace(" ", "")
    for suffix, mb in (("GIB", 1024), ("GB", 1024), ("MIB", 1), ("MB", 1)):
        if t.endswith(suffix):
            try:
                return float(t[:-len(suffix)]) * mb
            except ValueError:
                return None
    return None


class LinkageConfig(BaseModel):
    """Thresholds, sampling sizes and seeds of the Splink models.

    Examples
    --------
    >>> LinkageConfig().threshold
    0.7
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    threshold: float = Field(0.7, ge=0, le=1, description="match probability at or above which a pair is a duplicate")
    review_low: float = Field(0.3, ge=0, le=1, description="pairs between review_low and threshold go to clerical review")
    min_probability: float = Field(
        0.05, ge=0, le=1, description="pairs below this match probability are not returned at all"
    )
    link_threshold: float = Field(
        0.9, ge=0, le=1, description="match probability at or above which a source record links to a person"
    )
    one_to_one: bool = Field(
        True, description="a source record links to at most one person and a person to at most one "
        "record of each source (greedy by match probability)"
    )
    whole_name_frequency: bool = Field(
        True, description="deduplication: two records that agree on surname, middle name, given name and sex "
        "are weighed by how many records of the register bear that whole name, not by the product of the "
        "parts' frequencies (popqa.linkage.namefreq)"
    )
    calibration_method: Literal["logistic", "isotonic"] = Field(
        "logistic", description="how reviewed decisions recalibrate match probabilities (popqa.linkage.calibration)"
    )
    calibration_min_reviews: int = Field(
        100, ge=2, description="reviewed pairs needed before they recalibrate the probabilities and the threshold; "
        "below, the model's probabilities and the threshold stand"
    )
    calibration_min_each: int = Field(
        10, ge=1, description="reviewed matches and reviewed non-matches each needed to calibrate"
    )
    reviews_file: str | None = Field(
        None, description="reviewed clerical-review workbook (.xlsx) read by the audit: its decisions override "
        "the model for their pairs and, when there are enough, recalibrate the probabilities"
    )
    calibration_file: str | None = Field(
        None, description="calibration JSON: read by the audit when it exists and the reviews are too few to fit "
        "a new one; a calibration fitted on the reviews is written here for the next run"
    )
    mover_months: int = Field(
        24, ge=0, description="a person with a move_in event in this many months up to the period's end counts "
        "as a mover: its household and commune differences are weak evidence against a duplicate"
    )
    settle_by_id: bool = Field(
        True, description="a source record whose valid citizen ID is held by exactly one register person (and "
        "no other record of the source), with the same folded full name and exact birth date, is compared with "
        "that person only (the ID blocking rule); the other rules are for the records an ID does not settle. "
        "False scores every candidate of every record (about nine times the pairs of a large source)"
    )
    seed: int = Field(20261, description="seed of every random sample (u estimation), for reproducible models")
    u_max_pairs: float = Field(1e6, gt=0, description="record pairs sampled to estimate the u probabilities")
    em_max_pairs: float | None = Field(
        5e6, gt=0, description="at most about this many blocked pairs (records hash-sampled on both sides, "
        "deterministic) in each EM pass; None = all. The passes that block on given name and date grow with the "
        "square of the register (16.6 M pairs for the police residence records of a 3.4 M-person province, "
        "2.9 M at 1.2 M persons), so the default leaves a 1.2 M-person province whole and bounds a larger one"
    )
    source_em_max_pairs: float | None = Field(
        2e6, gt=0, description="em_max_pairs for a source's linkage (its records against the register): most of a "
        "source's blocked pairs are a record and its own person, where the deduplication's are mostly two different "
        "persons, so fewer of them estimate its m probabilities as well. Measured on the synthetic provinces "
        "(benchmarks/bench_em_pairs.py): the same links with 5 M, 2 M and 1 M pairs at 1.25 M persons and with 5 M and "
        "2 M at 3.38 M, where 2 M took the police residence records' passes from 30.3 to 19.1 s; the "
        "deduplication at 2 M lost one of its three passes as degenerate (docs/benchmarks.md). None = all"
    )
    min_train_records: int = Field(
        2000,
        ge=2,
        description="below this many records the model keeps its documented prior m/u values "
        "instead of estimating them (EM on a handful of records is noise)",
    )
    prior_m_share: float = Field(
        0.05, ge=0, lt=1, description="share of the documented prior m of each comparison level mixed into the "
        "m estimated by EM, so no level becomes impossible evidence (0 = EM's estimates alone)"
    )
    max_iterations: int = Field(25, ge=1, description="EM iterations per training session")
    retrain_months: int = Field(
        3, ge=0, le=24, description="an audit reuses the model an earlier audit of the same results folder trained, "
        "for up to this many months after the period it was trained on (then, or when the comparisons or the "
        "training settings change, it trains a new one); between retrainings the months' duplicates and links "
        "move with the data, not with the noise of re-estimation. 0 = train at every audit"
    )
    model_files: dict[str, str] = Field(
        default_factory=dict, description="set by the audit: trained models to reuse, by kind (dedupe or a source)"
    )
    model_period: str | None = Field(None, description="set by the audit: the period audited (a model trained "
                                     "now is stored as trained on it)")
    save_models_to: str | None = Field(
        None, description="set by the audit: the folder where the models used are written (one JSON per kind)"
    )
    workers: int | None = Field(
        None, ge=1, description="local processes running the link stage's models (deduplication and one per "
        "source) side by side; None = the machine's cores (at most 4) from 20,000 to 500,000 persons, else one "
        "(each worker holds a copy of the person features; a small register is done before workers start)"
    )
    threads: int | None = Field(None, ge=1, description="DuckDB threads; None = all cores")
    score_partitions: int | None = Field(
        None, ge=1, description="partitions the candidate pairs of each model are scored in (Splink's chunks: the "
        "pairs whose right-hand record falls in one hash bucket of its id), one after the other in one process, or "
        "side by side on the workers of a Dask cluster with the model trained once. The same pairs and scores "
        "however many. None = one in one process (there, partitions cost time: each repeats the blocking joins), "
        "one per worker thread on a Dask cluster"
    )
    narrow_register: bool = Field(
        True, description="a source linkage's EM passes and scoring read only the register persons one of their "
        "blocking rules pairs with a source record (the whole register's term frequencies; the same pairs and "
        "weights), when the register has at least 10 times the source's records and most persons would be left "
        "out (popqa.linkage.narrow). False = Splink reads the whole register at each step"
    )
    group_blocked_pairs: bool = Field(
        True, description="the deduplication, scored in one partition, has its candidate pairs made as each blocking "
        "rule's join on its own, grouped by pair (popqa.linkage.blocking), not by Splink, which tests each rule's pairs "
        "against every rule before it; the same pairs and scores. False = Splink makes them"
    )
    join_on_ids: bool = Field(
        True, description="a source's candidate pairs, scored in one partition, are joined to the records on their "
        "plain ids, each side to its own input's records (popqa.linkage.predict), not on the input's name and id "
        "joined in one text key as Splink joins them; the same scored pairs. False = Splink's join"
    )
    spill_register: bool | None = Field(
        None, description="whether the audit's link stage moves the register's tables out of memory to its scratch "
        "folder while the models run (each source read back for its own model, every table brought back unchanged "
        "when the stage ends): the models then hold the persons' linkage columns, not the register. When the models "
        "run one after the other in the audit's process, the persons' and each source's linkage features are "
        "written there too and read by each model's DuckDB within its memory_limit (the same pairs). "
        "None = above 2,000,000 persons, or above 500,000 when memory_budget is set (docs/scale.md)"
    )
    memory_budget: str | None = Field(
        None, description="the memory of the process running a linkage model, e.g. '3600MB': each model's DuckDB gets "
        "at most the budget less what the process holds besides that DuckDB once the model's frames are registered "
        "(a source's records in a table of the model's DuckDB count within its limit, not twice; never more than "
        "memory_limit, never less than 512MB, with a warning when the budget cannot be kept), so the models' peak "
        "stays near the budget as the register grows. Shared among local workers like memory_limit. None = "
        "memory_limit alone, whatever the process holds, but above 2,000,000 persons, when neither this nor "
        "memory_limit is set, 3600MB (what the 1.25 M-person province's audit takes; docs/scale.md)"
    )
    memory_limit: str | None = Field(
        "2GB", description="DuckDB memory limit of each linkage model, e.g. '2GB' (DuckDB spills beyond it); None = "
        "DuckDB default (80 % of the machine). 2GB keeps the deduplication of 1.2 M persons at 3.8 GB peak for the "
        "time 5GB takes (4.1 GB; docs/benchmarks.md). When it is not set in the configuration, an audit of more than "
        "2,000,000 persons uses 4GB, each model's share cut to the default memory_budget unless one is set "
        "(docs/scale.md)"
    )

    @field_validator("memory_budget")
    @classmethod
    def _readable_budget(cls, v: str | None) -> str | None:
        if v is not None and not size_mb(v):
            raise ValueError(f"memory_budget must be a size such as '3600MB' or '3.5GB', got {v!r}")
        return v
