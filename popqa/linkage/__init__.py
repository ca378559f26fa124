"""popqa.linkage: Vietnamese-aware deduplication and record linkage on Splink (DuckDB).

Nothing else in popqa imports splink; this package wraps it thinly.

Examples
--------
>>> from popqa.linkage import dedupe, link, duplicate_rates, read_reviews
"""

from popqa.linkage.config import LinkageConfig
from popqa.linkage.dedupe import RULES, DedupeResult, dedupe
from popqa.linkage.link import LinkResult, link
from popqa.linkage.rates import duplicate_rates
from popqa.linkage.review import read_reviews, write_review

__all__ = [
    "LinkageConfig",
    "DedupeResult",
    "LinkResult",
    "RULES",
    "dedupe",
    "link",
    "duplicate_rates",
    "read_reviews",
    "write_review",
]
