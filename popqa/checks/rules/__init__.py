"""The rule modules; importing this package fills :data:`popqa.checks.base.RULES`."""

from popqa.checks.rules import events, household, units, validity  # noqa: F401
