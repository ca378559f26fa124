"""What the benchmarks that time the linkage models alone with a setting off and on share
(``bench_narrow.py``, ``bench_blocking.py``): the models' inputs of a register folder, written to files as
the audit's link stage writes them; the order of the runs; the check that off and on made the same pairs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any


def write_inputs(data: str, period: str, kinds: list[str], folder: Path) -> tuple[Any, dict[str, Any]]:
    """The persons' linkage features (each person id once, the recent move-ins marked) and each source's
    in ``folder``, as :class:`popqa.linkage.frames.FrameFile`; ``None`` for the deduplication."""
    from popqa import textkeys
    from popqa.io import read_register
    from popqa.linkage.config import LinkageConfig
    from popqa.linkage.features import person_features, recent_move_ins
    from popqa.linkage.frames import FrameFile
    from popqa.linkage.link import _reference_year, person_places, source_frame
    from popqa.period import Period

    reg = read_register(data, period=period)
    moved = recent_move_ins(reg.get("events"), Period.parse(period).end, LinkageConfig().mover_months)
    first = textkeys.first_of_each(reg.persons["person_id"])
    feats = person_features(reg.persons[first], move_in_ids=moved)
    ref, places = _reference_year(reg.persons), person_places(reg.persons)
    persons = FrameFile.write(feats, folder / "persons.parquet")
    del feats
    rights = {k: None if k == "dedupe" else
              FrameFile.write(source_frame(reg[k], k, persons=places, reference_year=ref), folder / f"{k}.parquet")
              for k in kinds}
    return persons, rights


def off_and_on(rounds: int) -> Iterator[tuple[int, bool]]:
    """Each round and setting in the order they run: off then on in even rounds, on then off in odd ones."""
    for r in range(rounds):
        yield from ((r, on) for on in ((False, True) if r % 2 == 0 else (True, False)))


def pairs_file(folder: Path, kind: str, on: bool, r: int) -> Path:
    """Where a run writes its pairs."""
    return folder / f"pairs-{kind}-{on}-{r}.parquet"


def assert_same_pairs(folder: Path, kinds: list[str], rounds: int, key: list[str] | None = None) -> None:
    """Each round's pairs with the setting off and on are the same frame (sorted by ``key`` first, if given)."""
    import pandas as pd

    for k in kinds:
        for r in range(rounds):
            a, b = (pd.read_parquet(pairs_file(folder, k, on, r)) for on in (False, True))
            if key:
                a, b = (x.sort_values(key, ignore_index=True) for x in (a, b))
            pd.testing.assert_frame_equal(a, b)
