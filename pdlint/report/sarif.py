"""SARIF 2.1.0 as GitHub code scanning accepts it, so drift shows on the policy file's lines.

One run; ``tool.driver.rules`` is the catalogue of the rules that ran. A finding without a policy
location keeps an empty ``locations``: it is in the log, but GitHub does not annotate it. Waived
findings carry an external suppression; skipped checks are tool execution notifications and mark
the invocation unsuccessful, so a partial run never looks clean.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from pdlint.findings import Finding, Location, Report, Severity, Waived
from pdlint.report import RuleMeta
from pdlint.report.wording import finding_sentence, plain, repo_path, skip_label

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/pdlint/"
# Versioned so that a future change of what identifies a finding starts new alerts cleanly.
FINGERPRINT_KEY = "pdlintFinding/v2"

LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def render_sarif(report: Report, rules: Sequence[RuleMeta]) -> str:
    return json.dumps(sarif_log(report, rules), indent=2, ensure_ascii=False, default=str) + "\n"


def sarif_log(report: Report, rules: Sequence[RuleMeta]) -> dict[str, Any]:
    """The SARIF log as plain data."""
    ordered = sorted(rules, key=lambda rule: rule.id)
    rule_index = {rule.id: index for index, rule in enumerate(ordered)}
    rules_by_id = {rule.id: rule for rule in ordered}
    driver: dict[str, Any] = {
        "name": "pdlint",
        "informationUri": INFORMATION_URI,
        "rules": [_rule_descriptor(rule) for rule in ordered],
    }
    if report.tool_version:
        driver["version"] = report.tool_version
    invocation = {
        "executionSuccessful": report.complete,
        "toolExecutionNotifications": [
            {
                "level": "warning",
                "message": {"text": f"{skip_label(skip, rules_by_id)} skipped: {skip.reason}"},
                "associatedRule": _rule_reference(skip.rule, rule_index),
            }
            for skip in report.skipped
        ],
    }
    return {
        "$schema": SARIF_SCHEMA_URI,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {"driver": driver},
                "invocations": [invocation],
                "columnKind": "unicodeCodePoints",
                "results": _results(report.findings, rule_index),
            }
        ],
    }


def _rule_descriptor(rule: RuleMeta) -> dict[str, Any]:
    criterion = f"SOC 2 {rule.criterion}" if rule.criterion else "no SOC 2 criterion"
    mode = plain(rule.mode)
    explanation = rule.rationale or rule.title
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": explanation},
        "help": {
            "text": f"{rule.id} {rule.name}: {rule.title}\n\n{explanation}\n\n"
                    f"{criterion}; checked by pdlint {mode}.",
            "markdown": f"**{rule.id} {rule.name}**: {rule.title}\n\n{explanation}\n\n"
                        f"{criterion}; checked by `pdlint {mode}`.",
        },
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {
            "tags": [tag for tag in ("compliance", "soc2", rule.criterion, mode) if tag],
            "soc2Criterion": rule.criterion,
        },
    }


def _rule_reference(rule_id: str, rule_index: dict[str, int]) -> dict[str, Any]:
    reference: dict[str, Any] = {"id": rule_id}
    if rule_id in rule_index:
        reference["index"] = rule_index[rule_id]
    return reference


def _results(findings: Sequence[Finding], rule_index: dict[str, int]) -> list[dict[str, Any]]:
    occurrences: Counter[str] = Counter()
    results = []
    for finding in findings:
        identity = _identity_hash(finding)
        occurrences[identity] += 1
        result: dict[str, Any] = {"ruleId": finding.rule}
        if finding.rule in rule_index:
            result["ruleIndex"] = rule_index[finding.rule]
        result.update({
            "level": LEVELS[finding.severity],
            "message": {"text": finding_sentence(finding)},
            "locations": [_location(finding.location)] if finding.location else [],
            "partialFingerprints": {FINGERPRINT_KEY: f"{identity}:{occurrences[identity]}"},
            "properties": {
                "resource": finding.resource.to_dict(),
                "expected": finding.expected,
                "actual": finding.actual,
            },
        })
        if finding.waived:
            result["suppressions"] = [_suppression(finding.waived)]
        results.append(result)
    return results


def _identity_hash(finding: Finding) -> str:
    """``Finding.key``, hashed; findings sharing it are told apart by their order, as GitHub does
    for its own line hashes."""
    return hashlib.sha256(finding.key.encode("utf-8")).hexdigest()[:32]


def _location(location: Location) -> dict[str, Any]:
    region: dict[str, Any] = {"startLine": location.line}
    if location.column:
        region["startColumn"] = location.column
    return {"physicalLocation": {"artifactLocation": {"uri": _artifact_uri(location.path)},
                                 "region": region}}


def _artifact_uri(path: str) -> str:
    """A relative URI for paths in the repository; a file URI for one outside it."""
    relative = repo_path(path)
    if PurePosixPath(relative).is_absolute():
        return PurePosixPath(relative).as_uri()
    return quote(relative, safe="/")


def _suppression(waived: Waived) -> dict[str, Any]:
    suppression: dict[str, Any] = {
        "kind": "external",
        "status": "accepted",
        "justification": f"{waived.reason} (owner {waived.owner}, "
                         f"expires {waived.expires.isoformat()})",
    }
    if waived.location:
        suppression["location"] = _location(waived.location)
    return suppression
