"""The linkage models' inputs of a register folder, written to files as the audit's link stage writes them
(for the benchmarks that time the models alone: ``bench_narrow.py``, ``bench_blocking.py``)."""

from __future__ import annotations

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
