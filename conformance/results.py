"""Outcome of a run: per test, section and step, the exchanged messages and every expectation checked.

Reports (HTML, JUnit, console) only read this model; a check that could not be evaluated is a failed check
with its reason, and an instruction the runner does not implement is its own outcome, never a pass.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Outcome(StrEnum):
    PASSED = "passed"
    FAILED = "failed"
    UNSUPPORTED = "not supported by the runner"
    ERROR = "error"  # the step could not be built or sent (missing linkage, unreachable endpoint)


@dataclass(frozen=True, slots=True)
class Check:
    """One expectation: what was expected, what was found, and whether they agree."""

    name: str
    passed: bool
    detail: str = ""


@dataclass(slots=True)
class StepResult:
    section: str
    step: str
    transaction: str
    outcome: Outcome = Outcome.PASSED
    checks: list[Check] = field(default_factory=list)
    endpoint: str = ""
    request: str = ""
    response: str = ""
    notes: list[str] = field(default_factory=list)

    def settle(self) -> None:
        """Derive the outcome from the checks unless an earlier verdict (error, unsupported) stands."""
        if self.outcome is Outcome.PASSED and any(not c.passed for c in self.checks):
            self.outcome = Outcome.FAILED


@dataclass(slots=True)
class TestResult:
    test_id: str
    title: str = ""
    steps: list[StepResult] = field(default_factory=list)
    seconds: float = 0.0
    problem: str = ""  # set when the test could not be loaded or a dependency failed to load

    __test__ = False  # not a pytest class

    @property
    def outcome(self) -> Outcome:
        if self.problem:
            return Outcome.ERROR
        for worst in (Outcome.ERROR, Outcome.UNSUPPORTED, Outcome.FAILED):
            if any(s.outcome is worst for s in self.steps):
                return worst
        return Outcome.PASSED

    @property
    def passed(self) -> bool:
        return self.outcome is Outcome.PASSED


@dataclass(slots=True)
class RunResult:
    registry: str
    repository: str
    tests: list[TestResult] = field(default_factory=list)
    started: str = ""
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return bool(self.tests) and all(t.passed for t in self.tests)

    def counts(self) -> dict[Outcome, int]:
        counts = dict.fromkeys(Outcome, 0)
        for t in self.tests:
            counts[t.outcome] += 1
        return counts
