"""``summary.md``: the headline figures and tables of the package in Markdown, for a ticket or a
pull request; the full lists are in the CSV files it names."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pdlint.evidence.drift import drift_scope
from pdlint.evidence.history import HISTORY_CSV, NO_RUN, RUNS_CSV, day_list, monitored_share
from pdlint.evidence.model import ConfigurationChange, Evidence, iso
from pdlint.evidence.tables import (
    NOT_MEASURED,
    ROW_LIMIT,
    UNMATCHED_COLUMNS,
    action_counts_text,
    action_entry,
    headline,
    human_duration,
    incomplete_text,
    period_note,
    register_row_entry,
    severity_unread_note,
    share_text,
    skip_reason,
    skipped_parts,
    training_text,
    trend_cell,
    unavailable_changes,
    unmatched_rows_text,
)
from pdlint.findings import counted
from pdlint.report.tabular import markdown_cell as _cell
from pdlint.report.tabular import markdown_table


def _table(header: Sequence[str], rows: Iterable[Sequence[object]]) -> list[str]:
    return markdown_table(header, ([_cell(value) for value in row] for row in rows))


def _unread_note(evidence: Evidence) -> list[str]:
    """Under a table per severity: the incidents of unknown severity it does not hold."""
    note = severity_unread_note(evidence)
    return [] if note is None else ["", f"{note}."]


def _unmatched_rows(evidence: Evidence) -> list[str]:
    rows = evidence.unmatched_register_rows
    if not rows:
        return []
    lines = ["", f"{unmatched_rows_text(rows)}:", ""]
    lines += _table(UNMATCHED_COLUMNS, ([register_row_entry(row)[column]
                                         for column in UNMATCHED_COLUMNS]
                                        for row in rows[:ROW_LIMIT]))
    if len(rows) > ROW_LIMIT:
        lines += ["", f"First {ROW_LIMIT} of {len(rows)}; all are in evidence.json."]
    return lines


def _heading(evidence: Evidence, title: str, *names: str) -> str:
    """A section heading naming those of the section's files the package holds (a section not
    measured writes none)."""
    written = ", ".join(name for name in names if name in evidence.files)
    return f"## {title}" + (f" ({written})" if written else "")


def _programme(evidence: Evidence) -> list[str]:
    """Corrective actions, exercises and training, each when the policy documents it."""
    lines: list[str] = []
    actions = evidence.corrective_actions
    if actions is not None:
        lines += ["", _heading(evidence, "Corrective actions", "corrective-actions.csv",
                               "corrective-actions-by-incident.csv"), "",
                  f"Register {_cell(actions.register)}, judged on {actions.as_of}: "
                  f"{len(actions.actions)} action(s), {action_counts_text(actions.actions)}.", ""]
        if actions.by_incident is None:
            reason = _cell(skip_reason(evidence, "incidents"))
            lines.append(f"Per incident: {NOT_MEASURED} ({reason}).")
        else:
            lines += _table(("incident", "open", "overdue", "closed late", "closed on time"),
                            ((item.incident, item.open, item.overdue, item.closed_late,
                              item.closed_on_time) for item in actions.by_incident[:ROW_LIMIT]))
        late = [action for action in actions.actions if action.status.value == "overdue"]
        if late:
            lines += ["", "Overdue:", ""]
            lines += _table(("incident", "action", "owner", "due", "register row"),
                            ((entry["incident"], entry["action"], entry["owner"], entry["due"],
                              entry["documented_at"]) for entry in map(action_entry,
                                                                       late[:ROW_LIMIT])))
        if actions.unmatched:
            lines += ["", f"{len(actions.unmatched)} action(s) name no incident of the period "
                          "(an incident of another period, or a typo); they are in "
                          "corrective-actions.csv."]
    if evidence.exercises:
        lines += ["", "## Tabletop exercises", ""]
        lines += _table(("date", "scenario", "in period", "participants", "findings",
                         "actions", "documented at"),
                        ((item.held_on, item.scenario, "yes" if item.in_period else "no",
                          len(item.participants), "; ".join(item.findings) or "—",
                          action_counts_text(item.actions) if item.actions else "—",
                          item.location) for item in evidence.exercises))
    training = evidence.training
    if training is not None:
        lines += ["", _heading(evidence, "Training", "training.csv"), "",
                  f"{training_text(training)}.", ""]
        untrained = [person for person in training.people if not person.current]
        lines += _table(("person", "on call", "latest record", "valid until"),
                        ((f"{person.name} ({person.email or 'email not read'})",
                          ", ".join(person.on_call),
                          f"{person.course}, {person.completed} ({person.location})"
                          if person.course else "none", person.valid_until or "—")
                         for person in untrained[:ROW_LIMIT]))
    elif skip_reason(evidence, "training") is not None:
        lines += ["", "## Training", "",
                  f"{NOT_MEASURED.capitalize()}: {_cell(skip_reason(evidence, 'training'))}."]
    return lines


def render_summary(evidence: Evidence) -> str:
    lines = [
        f"# Incident-response evidence: {_cell(evidence.organisation)}",
        "",
        f"Period {iso(evidence.period.start)} to {iso(evidence.period.end)}; generated "
        f"{iso(evidence.generated_at)} by pdlint {evidence.pdlint_version}; policy commit "
        f"{evidence.policy.git_commit or 'unknown'}"
        + (" (policy files modified since)" if evidence.policy.git_modified else "") + ".",
        "",
    ]
    note = period_note(evidence)
    if note is not None:
        lines += [f"**Note: {note}.**", ""]
    if evidence.skipped:
        lines += [f"**{incomplete_text(evidence)}.**", ""]
        lines += [f"- {_cell(part.line)}" for part in skipped_parts(evidence)]
        lines.append("")
    lines += ["## Headline", ""]
    lines += [f"- {figure.label[0].upper()}{figure.label[1:]}: {figure.value}"
              + (f" ({figure.detail})" if figure.detail else "") for figure in headline(evidence)]
    lines += ["", _heading(evidence, "SLA compliance per severity", "sla.csv",
                           "sla-breaches.csv"), ""]
    if evidence.incidents is None:
        lines.append(f"{NOT_MEASURED.capitalize()}: {_cell(skip_reason(evidence, 'sla'))}.")
    else:
        lines += _table(
            ("severity", "SLA", "incidents", "within", "breached", "pending", "share within",
             "median ack", "p90 ack"),
            ((item.severity, item.response_sla, item.incidents, item.within, item.breached,
              item.pending, share_text(item.share_within),
              human_duration(item.median_seconds_to_acknowledge),
              human_duration(item.p90_seconds_to_acknowledge)) for item in evidence.sla))
        lines += _unread_note(evidence)
    if evidence.resolution:
        lines += ["", _heading(evidence, "Resolution per severity", "resolution.csv",
                               "resolution-breaches.csv"), ""]
        lines += _table(
            ("severity", "resolve within", "incidents", "within", "breached", "pending",
             "share within", "median", "p90"),
            ((item.severity, item.resolve_within, item.incidents, item.within, item.breached,
              item.pending, share_text(item.share_within),
              human_duration(item.median_seconds_to_resolve),
              human_duration(item.p90_seconds_to_resolve)) for item in evidence.resolution))
        lines += _unread_note(evidence)
    if evidence.incidents is not None and evidence.communication:
        lines += ["", _heading(evidence, "Communication per severity", "communication.csv",
                               "communication-exceptions.csv"), ""]
        lines += _table(
            ("severity", "within", "who", "required", "in time", "late", "missing", "pending",
             "not judged"),
            ((item.severity, item.notify_within, ", ".join(item.notify), item.required,
              item.within, item.late, item.missing, item.pending, item.not_judged)
             for item in evidence.communication))
        lines += _unread_note(evidence)
    if evidence.trend:
        lines += ["", _heading(evidence, "Trend per month", "trend.csv"), ""]
        lines += _table(
            ("month", "severity", "incidents", "acknowledged within SLA", "resolved within"),
            ((row.month, row.severity, row.incidents,
              trend_cell(row.acknowledged_within, row.acknowledgement_decided),
              trend_cell(row.resolved_within, row.resolution_decided))
             for row in evidence.trend))
    if evidence.postmortems:
        lines += ["", _heading(evidence, "Postmortems", "postmortems.csv",
                               "postmortem-exceptions.csv"), "",
                  f"Recorded in {_cell(evidence.postmortem_source)}.", ""]
        lines += _table(
            ("severity", "deadline", "required", "on time", "late", "missing", "pending",
             "not judged"),
            ((item.severity, item.within_text, item.required, item.on_time,
              item.late, item.missing, item.pending, item.not_judged)
             for item in evidence.postmortems))
        lines += _unread_note(evidence)
        lines += _unmatched_rows(evidence)
    lines += ["", _heading(evidence, "On-call coverage", "coverage.csv", "coverage-gaps.csv"),
              ""]
    lines += _table(
        ("schedule", "requirement", "covered", "gaps", "gap time", "note"),
        ((item.schedule, item.requirement or "—",
          share_text(item.result.share) if item.result else "—",
          len(item.result.gaps) if item.result else "—",
          human_duration(sum(gap.length.total_seconds() for gap in item.result.gaps))
          if item.result else "—", item.problem or item.note or "") for item in evidence.coverage))
    if evidence.paging:
        lines += ["", _heading(evidence, "Paging path", "paging.csv", "paging-uncalled.csv"), ""]
        lines += _table(
            ("service", "severity", "first call within", "called in time", "stretches without",
             "time without", "not read", "note"),
            ((item.service, item.severity, item.within, share_text(item.share),
              "—" if item.uncalled_count is None else item.uncalled_count,
              human_duration(item.uncalled_time.total_seconds())
              if item.uncalled_time is not None else "—",
              human_duration(item.not_read.total_seconds()) if item.not_read else "—",
              item.problem or item.note or "") for item in evidence.paging))
    lines += _programme(evidence)
    if evidence.changes is not None:
        lines += ["", "## Configuration changes (changes.csv)", ""]
        unavailable = unavailable_changes(evidence.changes)
        if unavailable is not None:
            lines += [f"**{unavailable}.**", ""]
        lines += _table(("object type", "changes"), evidence.changes.by_type)
    if evidence.drift is not None:
        lines += ["", "## Drift (" + ", ".join(evidence.drift.files) + ")", "",
                  f"The account against the policy: {drift_scope(evidence.drift)}.", ""]
        lines += _table(("severity", "findings"), evidence.drift.by_severity)
        if evidence.drift.not_checked:
            lines += ["", f"{counted(evidence.drift.not_checked, 'finding')} of these report a "
                          "check that could not be made: not checked, never passed."]
    if evidence.history is not None:
        lines += _history_lines(evidence)
    lines += ["", "Every file of the package and its sha256 are listed in manifest.json.", ""]
    return "\n".join(lines)


def _history_lines(evidence: Evidence) -> list[str]:
    """The continuous-compliance section: runs, monitoring gaps, and each drift's span."""
    section = evidence.history
    assert section is not None
    line = section.timeline
    lines = ["", _heading(evidence, "Continuous compliance: drift history", HISTORY_CSV,
                          RUNS_CSV), "",
             f"{counted(len(line.runs), 'drift run')} of {section.stream} recorded in "
             f"{section.folder} during the measured period."]
    if line.gaps is None:
        lines += ["Monitoring gaps: not measured (the policy documents no drift_check_every)."]
    else:
        lines += [f"Monitored {share_text(monitored_share(section))} of the period: "
                  f"{counted(len(line.gaps), 'interval')} longer than the documented cadence "
                  f"({section.cadence}) without a complete run."]
        if line.gaps:
            lines += ["", *_table(("gap from", "to", "length"), (
                (iso(gap.start), iso(gap.end), human_duration(gap.length.total_seconds()))
                for gap in line.gaps))]
    days = line.error_days()
    if days is None or section.drifts is None:
        return [*lines, "", f"Drifts and days with an open error: {NOT_MEASURED}: {NO_RUN}."]
    lines += ["", f"{counted(len(days), 'day')} with at least one open error (UTC)"
              + (f": {day_list(days)}." if days else ".")]
    not_read = "not read" if not section.changes_read else "—"
    if section.drifts:
        lines += ["", *_table(
            ("rule", "severity", "object", "first seen", "resolved", "days open", "opened by",
             "closed by"),
            ((tracked.drift.finding.rule, tracked.drift.finding.severity.value
              + (" (waived)" if tracked.drift.finding.waived else ""),
              str(tracked.drift.finding.resource), iso(tracked.drift.first_seen),
              iso(tracked.drift.resolved_at) or "open", tracked.days_open,
              _change_text(tracked.opened_by, not_read),
              _change_text(tracked.closed_by, not_read))
             for tracked in section.drifts[:ROW_LIMIT]))]
        if len(section.drifts) > ROW_LIMIT:
            lines += ["", f"First {ROW_LIMIT} of {len(section.drifts)}; all are in "
                          f"{HISTORY_CSV}."]
    else:
        lines += ["", "No drift was open during the measured period."]
    return lines


def _change_text(change: ConfigurationChange | None, missing: str) -> str:
    return missing if change is None else f"{change.actor} at {iso(change.at)} ({change.id})"
