"""`ExpectedStatus`, `ExpectedErrorCode` and `ExpectedErrorMessage` against an answer (checklist 6.1.4).

A step without `<ExpectedStatus>` expects Success, as in the toolkit. The error code must equal one
`RegistryError/@errorCode`; the error message is a substring of any error (code or context) or of the
fault reason, which is how upstream plans use it (`XDSUnknownPatientId` as a "message").
"""

from __future__ import annotations

from conformance.plan import Step
from conformance.response import Response
from conformance.results import Check
from conformance.vocabulary import ExpectedStatus


def _error_summary(resp: Response) -> str:
    if resp.fault:
        return f"fault: {resp.fault}"
    if not resp.errors:
        return "no RegistryError"
    return "; ".join(f"{e.code} ({e.context})" if e.context else e.code for e in resp.errors)


def check_status(step: Step, resp: Response) -> list[Check]:
    expected = step.expected_status or ExpectedStatus.SUCCESS
    checks: list[Check] = []
    if resp.problem:
        checks.append(Check(f"ExpectedStatus {expected}", False, resp.problem))
    else:
        got = resp.status.value if resp.status else resp.status_urn or "no status"
        ok = resp.status is expected
        detail = f"got {got}" + ("" if ok else f": {_error_summary(resp)}")
        checks.append(Check(f"ExpectedStatus {expected}", ok, detail))
    for code in step.expected_error_codes:
        ok = code in resp.error_codes
        checks.append(
            Check(f"ExpectedErrorCode {code}", ok, "present" if ok else f"got {_error_summary(resp)}")
        )
    for message in step.expected_error_messages:
        haystack = " ".join([resp.fault or "", *(f"{e.code} {e.context}" for e in resp.errors)])
        ok = message in haystack
        checks.append(
            Check(f"ExpectedErrorMessage {message}", ok, "present" if ok else f"got {_error_summary(resp)}")
        )
    return checks
