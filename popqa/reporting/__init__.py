"""popqa.reporting: per-district result files, the papermill runner, nbconvert HTML and the supervisor site.

The orchestration (``audit``, ``report``, ``run``) lives in :mod:`popqa.pipeline`.
"""

from popqa.reporting.config import ReportingConfig

__all__ = ["ReportingConfig"]
