"""The ITI-42 rule table: every stateless check a Document Registry applies to a submission (checklist 2.6).

Each rule is one named check with one XDS error code (IPF `ValidationMessage` style). All rules run and
all findings are returned together, so a vendor sees every problem of a submission at once.
"""

from __future__ import annotations

from registry.codes import ValueSets
from registry.validation import associations, document_entry, folder, submission, submission_set, value_sets
from registry.validation.rule import Rule, RuleContext
from xds.ebxml.metadata import Submission
from xds.errors import RegistryError

RULES: tuple[Rule, ...] = (
    *submission_set.RULES,
    *document_entry.RULES,
    *folder.RULES,
    *submission.RULES,
    *associations.RULES,
    *value_sets.RULES,
)


def validate_submission(sub: Submission, value_sets: ValueSets | None = None) -> list[RegistryError]:
    """Every violation of every rule, in rule-table order; empty when the submission is acceptable."""
    ctx = RuleContext(sub, value_sets)
    return [error for rule in RULES for error in rule.apply(ctx)]
