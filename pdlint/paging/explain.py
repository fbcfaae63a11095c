"""The path at one moment in words and as JSON: level by level, who is on call and which contact
method rings at which minute (``pdlint paging``), and the short form a PATH600 finding quotes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pdlint.errors import PdlintError
from pdlint.pagerduty.model import Account
from pdlint.pagerduty.state import DocumentedServices, Wanted, format_utc
from pdlint.paging.judge import deadline, overlays_of
from pdlint.paging.path import (
    LevelAt,
    Outcome,
    PathAt,
    Paths,
    Reach,
    RuleAt,
    TargetAt,
    Verdict,
    judged,
    path_at,
)
from pdlint.policy.model import IncidentSeverity, Policy, whole_minutes


def method_word(kind: str) -> str:
    """``phone_contact_method`` -> ``phone``; ``push_notification_contact_method`` -> ``push``."""
    word = kind.removesuffix("_contact_method")
    return "push" if word == "push_notification" else word or "unknown method"


def _rule_words(rule: RuleAt) -> str:
    return f"{method_word(rule.method)} after {rule.delay} min" + (
        "" if rule.usable else " (method disabled or blocked)")


def _target_name(target: TargetAt) -> str:
    kind = "user" if target.kind.value == "user" else target.kind.value
    return f"{kind} '{target.name}'" if target.name else kind


def target_words(target: TargetAt, offset: int) -> str:
    """``schedule 'Rota': Cat Cole, phone after 15 min -> minute 25``."""
    head = _target_name(target)
    if target.problem is not None:
        return f"{head}: not read ({target.problem})"
    person = target.person
    if person is None:
        return f"{head}: nobody on call"
    name = person.name or person.user_id
    who = name if target.kind.value != "user" else ""
    prefix = f"{head}: {who}, " if who else f"{head}: "
    if person.rules is None:
        return f"{prefix}notification rules not read ({person.reach.why})"
    rules = ", ".join(_rule_words(rule) for rule in person.rules) or "no notification rule"
    return f"{prefix}{rules}{_minute_words(person.reach, offset)}"


def _minute_words(reach: Reach, offset: int) -> str:
    if reach.call is not None:
        return f" -> phoned or texted at minute {reach.call + offset}"
    return " -> never phoned or texted"


def level_words(level: LevelAt) -> str:
    engaged = level.engagement
    loop = f", loop {engaged.loop + 1}" if engaged.loop else ""
    targets = (f"targets not read ({level.unread})" if level.unread is not None else
               "; ".join(target_words(target, engaged.offset) for target in level.targets))
    turns = (" (round robin: one of these targets is paged, which one is not known in advance, "
             "so the path counts the latest)" if level.round_robin and len(level.targets) > 1
             else "")
    return (f"level {engaged.rule + 1}{loop} at minute {engaged.offset}{turns}: "
            f"{targets or 'no target'}")


def outcome_words(outcome: Outcome) -> str:
    """What a trigger's path comes to, in a sentence: the first call, or why none comes."""
    gate, reach = outcome.gate, outcome.reach
    if not gate.read:
        return f"not read: {gate.why}"
    if reach is None:
        return f"no incident is created: {gate.why}"
    if reach.call is not None:
        return f"first phone or SMS call at minute {reach.call}"
    if reach.unread is not None:
        return (f"no phone or SMS call before minute {reach.unread}, from which the path could "
                f"not be read: {reach.why}")
    return "nobody is ever phoned or texted"


def reach_words(path: PathAt) -> str:
    """The answer at one moment, with who is phoned first."""
    words = outcome_words(Outcome(path.gate, path.reach))
    first = path.first_call()
    return words + (f" ({level_words_short(*first)})" if first else "")


def level_words_short(level: LevelAt, target: TargetAt) -> str:
    person = target.person
    name = (person.name or person.user_id) if person else "?"
    return f"level {level.engagement.rule + 1}, {name}"


def path_text(path: PathAt) -> str:
    """The path at one moment for a person to read."""
    service = path.service
    gate = path.gate
    lines = [f"{service.name} ({service.id}), triggered at {format_utc(path.moment)}",
             f"  incident: not read ({gate.why})" if not gate.read
             else f"  incident: {gate.why}" if gate.urgency else f"  no incident: {gate.why}"]
    lines += [f"  {level_words(level)}" for level in path.levels]
    if path.beyond is not None:
        lines.append(f"  after minute {path.beyond.unread}: not read ({path.beyond.why})")
    lines.append(f"  => {reach_words(path)}")
    return "\n".join(lines) + "\n"


def path_summary(path: PathAt) -> str:
    """The path in one line for a finding: the incident's urgency, and the levels engaged up to
    the first call (all of the first round when none comes), which say why nothing came
    sooner."""
    reach = path.reach
    last = reach.call if reach is not None and reach.call is not None else None
    shown = [level for level in path.levels
             if (level.engagement.offset <= last if last is not None
                 else level.engagement.loop == 0)]
    return "; ".join([path.gate.why, *(level_words(level) for level in shown)])


def _reach_json(reach: Reach | None) -> dict[str, Any] | None:
    if reach is None:
        return None
    return {"first_call_minute": reach.call, "first_notification_minute": reach.notice,
            "not_read_from_minute": reach.unread, "not_read_because": reach.why}


def _target_json(target: TargetAt, offset: int) -> dict[str, Any]:
    person = target.person
    return {
        "type": target.kind.value, "name": target.name, "not_read_because": target.problem,
        "on_call": None if person is None else {
            "user_id": person.user_id, "name": person.name,
            "notification_rules": None if person.rules is None else [
                {"method": method_word(rule.method), "after_minutes": rule.delay,
                 "usable": rule.usable, "minute": rule.delay + offset}
                for rule in person.rules],
            **(_reach_json(person.reach.later(offset)) or {})},
    }


def path_json(path: PathAt) -> dict[str, Any]:
    """The path at one moment as JSON; minutes count from the trigger. When the incident is
    not created, or whether it is is not read, it has no minute it triggers at (null)."""
    gate = path.gate
    created = gate.urgency is not None if gate.read else None
    return {
        "service": {"id": path.service.id, "name": path.service.name},
        "triggered_at": format_utc(path.moment),
        "incident": {"created": created, "urgency": gate.urgency,
                     "triggers_at_minute": gate.delay if created else None, "why": gate.why},
        "levels": [{"level": level.engagement.rule + 1, "loop": level.engagement.loop + 1,
                    "engaged_at_minute": level.engagement.offset,
                    "assignment": "round_robin" if level.round_robin else "everyone",
                    "targets": None if level.unread is not None else [
                        _target_json(target, level.engagement.offset)
                        for target in level.targets],
                    "targets_not_read_because": level.unread}
                   for level in path.levels],
        "reach": _reach_json(path.reach),
        "answer": reach_words(path),
    }


# -- pdlint paging: one service, one severity, one moment -------------------------------------

class PagingQuestionError(PdlintError):
    """The question cannot be asked: no such service or severity (exit 2)."""


@dataclass(frozen=True)
class Answer:
    """The path of one service at one moment for one severity, and its verdict."""

    path: PathAt
    severity: IncidentSeverity | None
    """None when the policy documents no high-urgency severity (the path of a high one)."""
    within: int | None
    """The deadline for the first call, in minutes; None when the severity has none."""

    @property
    def verdict(self) -> Verdict | None:
        if self.within is None:
            return None
        return judged(Outcome(self.path.gate, self.path.reach), self.within)

    @property
    def unread(self) -> str | None:
        """Why the path could not be judged, or, for a severity without a deadline, explained
        to its end: what was not read; None when it was (skipped is never passed)."""
        gate, reach = self.path.gate, self.path.reach
        if not gate.read:
            return gate.why
        if reach is None or reach.unread is None:
            return None
        return reach.why if self.within is None or self.verdict is Verdict.NOT_READ else None


def wanted_for(policy: Policy, service: str) -> Wanted:
    """What ``answer`` reads of the account: every service (the one asked may be undocumented),
    and the event orchestration of the one asked only, by the name or id it was asked by, or
    the id the policy pins for it."""
    documented = policy.service(service)
    pinned = (documented.id.value,) if documented is not None and documented.id else ()
    return Wanted(services=DocumentedServices((service,), (service, *pinned)))


def answer(policy: Policy, account: Account, service: str, severity_id: str | None,
           moment: datetime) -> Answer:
    """The path of a trigger on ``service`` (its name or id, as PagerDuty knows it, or its
    documented name) at ``moment``, for ``severity_id`` (default: the most severe documented
    high-urgency severity)."""
    live = account.services.by_id(service) or account.services.by_name(service)
    if live is None:
        documented = policy.service(service)
        pinned = documented.id.value if documented is not None and documented.id else None
        live = account.services.by_id(pinned)
    if live is None:
        reason = account.services.skip_reason
        raise PagingQuestionError(
            f"service {service!r}: the services could not be read ({reason})" if reason
            else f"service {service!r} is not in the account (by name or id)")
    if severity_id is None:
        severity = next((each for each in policy.severities if each.urgency.value == "high"),
                        None)
    else:
        severity = policy.severity(severity_id)
        if severity is None:
            known = ", ".join(each.id for each in policy.severities) or "none"
            raise PagingQuestionError(f"severity {severity_id!r} is not documented (the policy "
                                      f"documents {known})")
    urgency = severity.urgency.value if severity is not None else "high"
    written = deadline(severity) if severity is not None else None
    paths = Paths(account)
    path = path_at(paths, live, urgency, moment, overlays_of(live, paths))
    return Answer(path, severity, None if written is None else whole_minutes(written.value))


def answer_text(found: Answer) -> str:
    severity = found.severity
    head = (f"{severity.id} ({severity.urgency.value} urgency"
            + (f", first call due within {found.within} min" if found.within is not None
               else "") + ")" if severity is not None else "high urgency")
    verdict = found.verdict
    tail = f"  verdict: {verdict.value}\n" if verdict is not None else ""
    return f"{head}\n{path_text(found.path)}{tail}"


def answer_json(found: Answer) -> dict[str, Any]:
    severity = found.severity
    return {"severity": None if severity is None else {
                "id": severity.id, "urgency": severity.urgency.value,
                "first_call_within_minutes": found.within},
            **path_json(found.path),
            "verdict": None if found.verdict is None else found.verdict.value}
