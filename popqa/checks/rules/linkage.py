"""Declarations of the linkage family (L): findings produced by :func:`popqa.linkage.dedupe`.

The check engine does not run these rules (``computed_by="linkage"``); the
deduplication takes their id, dimension, severity and messages from here, so
``popqa rules`` and ``docs/rules.md`` list them with every other rule. The
finding's ``value`` names the other record (the cluster's representative for
L001, the other person of the pair for L002).
"""

from __future__ import annotations

from popqa.checks.base import Rule, add_rule

add_rule(Rule(
    "L001", "uniqueness", "warning", "persons",
    "Nhân khẩu có thể bị ghi trùng: cùng một người với nhân khẩu ở cột giá trị.",
    "Probable duplicate person: the same person as the record in the value column.",
    None, (), "person_id", "linkage",
    action_vi="Đối chiếu hai bản ghi với sổ A0 và thẻ căn cước; giữ bản ghi đúng, gộp hoặc xóa bản ghi trùng.",
    action_en="Compare both records with the A0 sheet and the ID card; keep the correct one, merge or delete the duplicate.",
    parameters=("linkage.threshold",),
    computed_by="linkage",
))
add_rule(Rule(
    "L002", "uniqueness", "info", "persons",
    "Cặp nhân khẩu nghi trùng cần kiểm tra thủ công (với nhân khẩu ở cột giá trị).",
    "Possible duplicate pair for clerical review (with the record in the value column).",
    None, (), "person_id", "linkage",
    action_vi="Kiểm tra thủ công cặp bản ghi và ghi kết quả (trùng / không trùng) vào tệp rà soát (popqa review).",
    action_en="Review the pair by hand and record the decision (match / non-match) in the review file (popqa review).",
    parameters=("linkage.review_low", "linkage.threshold"),
    computed_by="linkage",
))
