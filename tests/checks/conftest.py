"""Fixtures of the checks tests (the hand-made register lives in tests/checks/frames.py)."""

from __future__ import annotations

import pytest

from popqa.io import Register
from tests.checks.frames import make


@pytest.fixture
def clean() -> Register:
    return make()
