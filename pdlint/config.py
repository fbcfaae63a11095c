"""Project settings: ``[tool.pdlint]`` in ``pyproject.toml``, or a ``.pdlint.yaml`` file.

They are looked for in the current folder, then in each parent up to the repository's root (the
first folder holding ``.git``). Each setting is the default of the command-line option of the
same name, which still overrides it::

    [tool.pdlint]
    policy = "compliance/pagerduty"  # --policy of drift and evidence; what `pdlint lint` checks
    fail-on = "warning"              # --fail-on of lint and drift
    region = "eu"                    # the service region, when neither --api-url, --region
                                     # nor PAGERDUTY_API_URL says which
    accept-skip = ["changes"]        # --accept-skip: what this account cannot give, accepted
                                     # by name (docs/ci.md); each command takes those it can
                                     # report
    retry-budget = 60                # --retry-budget: seconds one request may keep retrying

A path is relative to the file that sets it. An unknown setting or a value out of range is an
error naming the file and the setting: a misspelt setting silently ignored would be a check
silently not made. The API token is never a setting: it would be committed with the file.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from pdlint.errors import PdlintError
from pdlint.files import repository_root
from pdlint.rules.registry import DRIFT_RULE_IDS, drift_rule_ids_named

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

SETTINGS_FILE = ".pdlint.yaml"
PYPROJECT = "pyproject.toml"
TABLE = "[tool.pdlint]"
FAIL_ON = ("error", "warning", "never")
REGIONS = ("us", "eu")
KNOWN = ("policy", "fail-on", "region", "accept-skip", "retry-budget")
SKIPPED_COLLECTIONS = (
    "escalation_policies", "schedules", "schedules_v3", "services", "users", "teams",
    "priorities", "maintenance_windows", "incident_workflows", "workflow_triggers",
    "service_orchestrations", "event_orchestrations", "orchestration_routers",
    "alert_grouping_settings")
"""The collections drift reads (``pagerduty.state.COLLECTIONS``): any run that reads the
account may skip one."""
SKIPPED_SECTIONS = ("incidents", "sla", "resolution", "communication", "postmortems", "changes",
                    "coverage", "drift", "history", "paging", "training")
"""The sections of an evidence package (``evidence.collect.SECTIONS``)."""


class UnknownSkip(PdlintError):
    """A name that is no skip the command can report; the message says which it can."""


@dataclass(frozen=True)
class Skips:
    """What a command can report as skipped, and so a user accept by name: the collections it
    reads, and when it says so the sections of an evidence package and the drift rules (by id
    or name), skipped when their findings report checks they could not make
    (``findings.not_checked_skips``)."""

    command: str
    sections: bool = False
    rules: bool = False

    def accepted(self, name: str) -> tuple[str, ...]:
        """The skips ``name`` accepts: a collection or section itself, a drift rule's id or
        name the ids of the rules it names (the skip of a rule bears its id)."""
        if name in SKIPPED_COLLECTIONS or (self.sections and name in SKIPPED_SECTIONS):
            return (name,)
        ids = None if not self.rules else (
            frozenset({name}) if name in DRIFT_RULE_IDS else drift_rule_ids_named(name))
        if ids is None:
            raise UnknownSkip(f"unknown skip {name!r}: pdlint {self.command} can skip "
                              f"{self.described()}")
        return tuple(sorted(ids))

    def accepts(self, name: str) -> bool:
        try:
            self.accepted(name)
        except UnknownSkip:
            return False
        return True

    def described(self) -> str:
        """``a collection (...), a section (...) or a drift rule...``: what may be named."""
        kinds = [f"a collection ({', '.join(SKIPPED_COLLECTIONS)})"]
        if self.sections:
            kinds.append(f"an evidence section ({', '.join(SKIPPED_SECTIONS)})")
        if self.rules:
            kinds.append("a drift rule whose findings say it could not make a check, by id "
                         "or name (pdlint rules lists them)")
        return ", ".join(kinds[:-1]) + (" or " if len(kinds) > 1 else "") + kinds[-1]


SKIPS = {skips.command: skips for skips in (
    Skips("drift", rules=True), Skips("evidence", sections=True, rules=True),
    Skips("snapshot"), Skips("init"), Skips("history", rules=True), Skips("diff"))}
"""What each command can skip: a snapshot and ``init`` read the account only (``init`` writes
a check it could not make as a ``Review:`` comment); ``history`` reports what the last drift
run skipped; ``diff`` does not compare a collection either snapshot could not read."""
ANY_SKIP = Skips("settings", sections=True, rules=True)
"""Any name a skip may have: the ``accept-skip`` setting serves every command."""


class SettingsError(PdlintError):
    """The project's pdlint settings cannot be used; the message names the file and setting."""


@dataclass(frozen=True)
class Settings:
    """The project's settings; all None when it has none."""

    source: str | None = None
    """Where they were read: ``pyproject.toml [tool.pdlint]`` or ``.pdlint.yaml``, with its path."""
    policy: str | None = None
    """The policy path, relative to the current folder."""
    fail_on: str | None = None
    region: str | None = None
    accept_skip: tuple[str, ...] = ()
    retry_budget: float | None = None

    def option_defaults(self) -> dict[str, dict[str, Any]]:
        """The settings as click's ``default_map``: option defaults by command."""
        policy = {"policy_path": self.policy} if self.policy else {}
        fail_on = {"fail_on": self.fail_on} if self.fail_on else {}
        budget = {} if self.retry_budget is None else {"retry_budget": self.retry_budget}

        def accepted(command: str) -> dict[str, tuple[str, ...]]:
            """The skips of the setting this command can report: the others are another's."""
            names = tuple(name for name in self.accept_skip if SKIPS[command].accepts(name))
            return {"accepted_skips": names} if names else {}

        return {"lint": fail_on, "drift": {**policy, **fail_on, **accepted("drift"), **budget},
                "evidence": {**policy, **accepted("evidence"), **budget},
                "snapshot": {**accepted("snapshot"), **budget},
                "init": {**accepted("init"), **budget}, "history": accepted("history"),
                "diff": accepted("diff")}


def find_settings(start: Path) -> Settings:
    """The settings of the project ``start`` is in (see the module docstring)."""
    try:
        start = start.resolve(strict=True)
    except OSError as error:
        raise SettingsError(f"the current folder cannot be read ({error.strerror})") from None
    root = repository_root(start)
    for folder in (start, *start.parents):
        found = [path for path in (folder / SETTINGS_FILE, folder / PYPROJECT)
                 if _holds_settings(path)]
        if len(found) == 2:
            raise SettingsError(f"{found[0]} and {found[1]} {TABLE} both hold pdlint settings; "
                                "keep one")
        if found:
            return read_settings(found[0], start)
        if folder == root:
            break
    return Settings()


def _holds_settings(path: Path) -> bool:
    # Only a pyproject.toml that mentions pdlint is parsed: another project's broken file is not
    # pdlint's to refuse.
    try:
        if path.name == SETTINGS_FILE:
            return path.is_file()
        return path.is_file() and "tool.pdlint" in path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise SettingsError(f"{path}: cannot be read ({error})") from None


def read_settings(path: Path, cwd: Path) -> Settings:
    """The settings in ``path`` (a ``.pdlint.yaml`` or a ``pyproject.toml``), with the policy
    path made relative to ``cwd``."""
    where = f"{path} {TABLE}" if path.name == PYPROJECT else str(path)
    values = _read_table(path, where)
    unknown = sorted(set(values) - set(KNOWN))
    if unknown:
        raise SettingsError(f"{where}: unknown setting{'s' if len(unknown) > 1 else ''} "
                            f"{', '.join(map(repr, unknown))}; known: {', '.join(KNOWN)}")
    policy = values.get("policy")
    if policy is not None and (not isinstance(policy, str) or not policy.strip()):
        raise SettingsError(f"{where}: policy must be a path, not {policy!r}")
    for key, allowed in (("fail-on", FAIL_ON), ("region", REGIONS)):
        if key in values and values[key] not in allowed:
            raise SettingsError(f"{where}: {key} must be one of {', '.join(allowed)}, "
                                f"not {values[key]!r}")
    accepted = values.get("accept-skip", [])
    if not isinstance(accepted, list) or not all(
            isinstance(name, str) and ANY_SKIP.accepts(name) for name in accepted):
        raise SettingsError(f"{where}: accept-skip must be a list of the names of skipped "
                            f"checks, each {ANY_SKIP.described()}; not {accepted!r}")
    budget = values.get("retry-budget")
    if budget is not None and (isinstance(budget, bool) or not isinstance(budget, (int, float))
                               or not 1 <= budget < float("inf")):
        raise SettingsError(f"{where}: retry-budget must be a number of seconds, at least 1, "
                            f"not {budget!r}")
    return Settings(
        source=where,
        policy=os.path.relpath(path.parent / policy, cwd) if policy is not None else None,
        fail_on=values.get("fail-on"),
        region=values.get("region"),
        accept_skip=tuple(accepted),
        retry_budget=float(budget) if budget is not None else None,
    )


def _read_table(path: Path, where: str) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise SettingsError(f"{path}: cannot be read ({error})") from None
    if path.name == PYPROJECT:
        try:
            document = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise SettingsError(f"{path}: not valid TOML ({error})") from None
        table = document.get("tool", {}).get("pdlint", {})
    else:
        try:
            table = yaml.safe_load(text)
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark or error.context_mark
            place = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
            words = "; ".join(part for part in (error.context, error.problem) if part)
            raise SettingsError(f"{place}: not valid YAML ({words})") from None
        except yaml.YAMLError as error:
            raise SettingsError(f"{path}: not valid YAML ({error})") from None
        table = {} if table is None else table
    if not isinstance(table, dict):
        raise SettingsError(f"{where}: must be a table of settings, not {type(table).__name__}")
    return table
