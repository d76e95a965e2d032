"""The shape of a registry validation rule: one named check, one XDS error code (IPF `ValidationMessage`).

A check only says what is wrong and where (`Violation`); the rule table gives it its code, so an error code
is chosen once per rule and never typed inside a check.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from registry.codes import ValueSets
from xds.ebxml.metadata import Submission
from xds.errors import ErrorCode, RegistryError


@dataclass(frozen=True, slots=True)
class Violation:
    """What is wrong (naming object and attribute) and the id of the object it was found on."""

    message: str
    location: str = ""


@dataclass(frozen=True, slots=True)
class RuleContext:
    """Everything a stateless rule may read: the submission and the affinity domain's value sets."""

    submission: Submission
    value_sets: ValueSets | None = None


Check = Callable[[RuleContext], Iterable[Violation]]


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    code: ErrorCode
    check: Check

    def apply(self, ctx: RuleContext) -> list[RegistryError]:
        return [RegistryError(self.code, v.message, v.location) for v in self.check(ctx)]
