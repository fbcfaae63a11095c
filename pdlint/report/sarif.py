"""SARIF 2.1.0 as GitHub code scanning accepts it, so drift shows on the policy file's lines.

One run; ``tool.driver.rules`` is the catalogue of the rules that ran. Every finding the engine
hands over has a policy location (an undocumented object points at the collection that should
document it), and artifact URIs are relative to the repository root through ``%SRCROOT%``, as
code scanning resolves them, wherever pdlint ran from. Waived findings carry an external
suppression; skipped checks are tool execution notifications, one more for each rule a
collection not read leaves unchecked (associated with that rule), and mark the invocation
unsuccessful, so a partial run never looks clean; a finding that reports a check not made says
what was not read in its ``notChecked`` property, and its rule is skipped. Links
(``informationUri``, each rule's ``helpUri``) follow the ``Repository`` URL the installed package
declares, and are left out when it declares none rather than point at a page that does not exist.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from pdlint.findings import Finding, Location, Report, Severity, Waived
from pdlint.report.indented_json import indented_json
from pdlint.report.rule_meta import RuleMeta
from pdlint.report.wording import (
    finding_sentence,
    plain,
    repo_path,
    rule_anchor,
    rule_label,
    skip_label,
    source_root,
    unchecked_rules,
)

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SOURCE_ROOT = "%SRCROOT%"
RULES_PAGE = "docs/rules.md"
# Versioned so that a future change of what identifies a finding starts new alerts cleanly.
FINGERPRINT_KEY = "pdlintFinding/v2"

LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def render_sarif(report: Report, rules: Sequence[RuleMeta]) -> str:
    return indented_json(sarif_log(report, rules), default=str, line_end=True)


def project_url() -> str | None:
    """pdlint's home as the installed package declares it (``[project.urls] Repository`` in
    pyproject.toml), without a trailing slash; None when it declares none."""
    try:
        declared = metadata.metadata("pdlint").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        return None
    urls = dict(entry.split(", ", 1) for entry in declared if ", " in entry)
    url = urls.get("Repository")
    return url.rstrip("/") if url else None


def help_uri(home: str, version: str, rule_id: str) -> str:
    """The rule's entry on the rules page of the release that wrote the log, in GitHub's form:
    ``<repository>/blob/v<version>/docs/rules.md#ep103``, the anchor the page gives each id."""
    return f"{home}/blob/v{version}/{RULES_PAGE}#{rule_anchor(rule_id)}"


def sarif_log(report: Report, rules: Sequence[RuleMeta]) -> dict[str, Any]:
    """The SARIF log as plain data."""
    ordered = sorted(rules, key=lambda rule: rule.id)
    rule_index = {rule.id: index for index, rule in enumerate(ordered)}
    rules_by_id = {rule.id: rule for rule in ordered}
    home = project_url()
    version = report.tool_version
    driver: dict[str, Any] = {"name": "pdlint"}
    if home:
        driver["informationUri"] = home
    if version:
        driver["version"] = version
    driver["rules"] = [_rule_descriptor(rule, help_uri(home, version, rule.id)
                                        if home and version else None) for rule in ordered]
    root = source_root()
    invocation = {
        "executionSuccessful": report.complete,
        "toolExecutionNotifications": [
            {
                "level": "warning",
                "message": {"text": f"{skip_label(skip, rules_by_id)} skipped: {skip.reason}"},
                "associatedRule": _rule_reference(skip.rule, rule_index),
            }
            for skip in report.skipped
        ] + [
            {
                "level": "warning",
                "message": {"text": f"{rule_label(rule_id, rules_by_id[rule_id].name)} skipped: "
                                    + "; ".join(skip.reason for skip in skips)},
                "associatedRule": _rule_reference(rule_id, rule_index),
            }
            for rule_id, skips in sorted(unchecked_rules(report, ordered).items())
            if rule_id not in {skip.rule for skip in report.skipped}
        ],
    }
    return {
        "$schema": SARIF_SCHEMA_URI,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {"driver": driver},
                "invocations": [invocation],
                "originalUriBaseIds": {SOURCE_ROOT: {"uri": root.as_uri().rstrip("/") + "/"}},
                "columnKind": "unicodeCodePoints",
                "results": _results(report.findings, rule_index, root),
                **({"properties": {"scope": report.boundary.to_dict(),
                                   "outOfScope": dict(report.boundary.outside)}}
                   if report.boundary else {}),
            }
        ],
    }


def _rule_descriptor(rule: RuleMeta, help_link: str | None) -> dict[str, Any]:
    criterion = f"SOC 2 {rule.criterion}" if rule.criterion else "no SOC 2 criterion"
    mode = plain(rule.mode)
    explanation = rule.rationale or rule.title
    link = {"helpUri": help_link} if help_link else {}
    return {
        "id": rule.id,
        "name": rule.name,
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": explanation},
        **link,
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


def _results(findings: Sequence[Finding], rule_index: dict[str, int],
             root: Path) -> list[dict[str, Any]]:
    occurrences: Counter[str] = Counter()
    locations: dict[Location, dict[str, Any]] = {}  # most findings of a rule share their line
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
            "locations": [locations.get(finding.location) or locations.setdefault(
                finding.location, _location(finding.location, root))] if finding.location else [],
            "partialFingerprints": {FINGERPRINT_KEY: f"{identity}:{occurrences[identity]}"},
            "properties": {
                "resource": finding.resource.to_dict(),
                "expected": finding.expected,
                "actual": finding.actual,
                **({"notChecked": finding.not_checked}
                   if finding.not_checked is not None else {}),
            },
        })
        if finding.waived:
            result["suppressions"] = [_suppression(finding.waived, root)]
        results.append(result)
    return results


def _identity_hash(finding: Finding) -> str:
    """``Finding.key``, hashed; findings sharing it are told apart by their order, as GitHub does
    for its own line hashes."""
    return hashlib.sha256(finding.key.encode("utf-8")).hexdigest()[:32]


def _location(location: Location, root: Path) -> dict[str, Any]:
    region: dict[str, Any] = {"startLine": location.line}
    if location.column:
        region["startColumn"] = location.column
    return {"physicalLocation": {"artifactLocation": _artifact(location.path, root),
                                 "region": region}}


def _artifact(path: str, root: Path) -> dict[str, str]:
    """A URI relative to the repository root for a file in it; a file URI for one outside."""
    relative = PurePosixPath(repo_path(path, root))
    if relative.is_absolute():
        return {"uri": relative.as_uri()}
    return {"uri": quote(str(relative), safe="/"), "uriBaseId": SOURCE_ROOT}


def _suppression(waived: Waived, root: Path) -> dict[str, Any]:
    suppression: dict[str, Any] = {
        "kind": "external",
        "status": "accepted",
        "justification": f"{waived.reason} (owner {waived.owner}, "
                         f"expires {waived.expires.isoformat()})",
    }
    if waived.location:
        suppression["location"] = _location(waived.location, root)
    return suppression
