"""POL001–POL004: the problems found while the policy files are read, declared as the rules of
the catalogue they are, so that every finding about reading is made by its ``Rule``.

They have nothing left to check in a built ``Policy``: a policy is built only from files that
were read without them. Their check says so (it finds nothing); the reader makes their findings.
"""

from __future__ import annotations

from pdlint.findings import Severity
from pdlint.rule import Mode, Rule, made_elsewhere

YAML_SYNTAX = Rule(
    id="POL001", name="yaml-syntax", title="Policy files are readable YAML",
    severity=Severity.ERROR, criterion="CC5.3", mode=Mode.LINT,
    check=made_elsewhere,
    rationale="A policy file that is not UTF-8 YAML text — a syntax error, several documents in "
              "one file, an unsupported tag, an alias expansion bomb, a binary or oversized "
              "file — cannot be read, so nothing it says can be checked. The finding gives the "
              "line and column where reading stopped.",
)

DUPLICATE_KEY = Rule(
    id="POL002", name="duplicate-key", title="No key is written twice in one mapping",
    severity=Severity.ERROR, criterion="CC5.3", mode=Mode.LINT,
    check=made_elsewhere,
    rationale="YAML parsers silently keep one of two equal keys, so a reviewer may read a value "
              "that the tool never sees. pdlint refuses the file until the key is written once.",
)

SCHEMA = Rule(
    id="POL003", name="schema", title="Policy files follow the policy format",
    severity=Severity.ERROR, criterion="CC5.3", mode=Mode.LINT,
    check=made_elsewhere,
    rationale="Every key and value must be one the policy format defines "
              "(schemas/policy.schema.json): an unknown key is usually a typo that silently "
              "drops a requirement, and a value of the wrong kind (5 instead of 5m) cannot be "
              "compared with PagerDuty. The message names the nearest allowed key or value.",
)

DUPLICATE_DEFINITION = Rule(
    id="POL004", name="duplicate-definition", title="Each object is defined once",
    severity=Severity.ERROR, criterion="CC5.3", mode=Mode.LINT,
    check=made_elsewhere,
    rationale="The policy may be split over several files, so two definitions of the same "
              "service, schedule, escalation policy, severity, tier or team (by name or pinned "
              "id), or two organisation or postmortems sections, can go unnoticed. Both places "
              "are reported; only the first definition is used.",
)


