"""``index.html``: one self-contained page an auditor opens from the package folder.

No network, no scripts: the styles are inline, the charts are inline SVG drawn here, and every
piece of text from the account or the policy is escaped. Long lists are cut at ``ROW_LIMIT``
rows with a link to the CSV that holds all of them. Elements carrying a key figure have an ``id``
(``headline-incidents``, ``sla-P1``, ``coverage-<n>``) so that the page can be checked.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from typing import TypeVar

from pdlint.coverage import Interval, required_time
from pdlint.evidence.changes import NOT_READ, not_known_note
from pdlint.evidence.coverage import ScheduleCoverage
from pdlint.evidence.drift import drift_scope
from pdlint.evidence.history import (
    HISTORY_CSV,
    NO_RUN,
    RUNS_CSV,
    HistorySection,
    day_list,
    monitored_share,
)
from pdlint.evidence.model import (
    ActionRecord,
    AssessedIncident,
    ConfigurationChange,
    Evidence,
    SeverityCompliance,
    TrendRow,
    iso,
)
from pdlint.evidence.paging import ServicePaging
from pdlint.evidence.tables import (
    NOT_MEASURED,
    ROW_LIMIT,
    UNMATCHED_COLUMNS,
    action_counts_text,
    headline,
    human_duration,
    incomplete_text,
    period_note,
    postmortems_judged,
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
from pdlint.policy.model import Hours
from pdlint.report.tabular import html_table as _table
from pdlint.report.tabular import html_text as _e
from pdlint.zones import live_zone

BAR_WIDTH = 420
TIMELINE_WIDTH = 760
TICKS = 6

STYLE = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d2433;
background:#f5f6f8}
main{max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:26px;margin:0 0 4px}
h2{font-size:20px;margin:32px 0 8px;border-bottom:1px solid #d5d9e0}
.meta{color:#555f70}
.banner{background:#fff4d6;border:1px solid #e0b400;padding:10px 14px;margin:16px 0}
.cards{display:flex;flex-wrap:wrap;gap:12px;margin:16px 0}
.card{background:#fff;border:1px solid #d5d9e0;border-radius:6px;padding:12px 16px;min-width:150px}
.card b{display:block;font-size:26px}.card span{color:#555f70;font-size:13px}
table{border-collapse:collapse;background:#fff;margin:8px 0;width:100%}
th,td{border:1px solid #d5d9e0;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#eef0f4}td.n{text-align:right;font-variant-numeric:tabular-nums}
.bad{color:#b3261e}.good{color:#1e7d32}svg{background:#fff;border:1px solid #d5d9e0}
.note{color:#555f70;font-size:13px}
"""


def _time(moment: datetime | None) -> str:
    """A time, or a dash for none; an ISO time has nothing to escape."""
    return iso(moment) or "—"


Row = TypeVar("Row")


def _cut(items: Sequence[Row], file_name: str) -> tuple[Sequence[Row], str]:
    """At most ``ROW_LIMIT`` rows, and a note pointing at the file holding them all when some
    were left out."""
    if len(items) <= ROW_LIMIT:
        return items, ""
    return items[:ROW_LIMIT], (f'<p class="note">First {ROW_LIMIT} of {len(items)}; all are in '
                               f'<a href="{_e(file_name)}">{_e(file_name)}</a>.</p>')


def _card(element_id: str, value: str, label: str, *, bad: bool = False) -> str:
    css = ' class="bad"' if bad else ""
    return (f'<div class="card"><b id="{_e(element_id)}"{css}>{_e(value)}</b>'
            f"<span>{_e(label)}</span></div>")


def _headline(evidence: Evidence) -> str:
    cards = [_card(f"headline-{figure.key}", figure.value,
                   figure.label + (f" ({figure.detail})" if figure.detail else ""),
                   bad=figure.bad) for figure in headline(evidence)]
    return '<div class="cards">' + "".join(cards) + "</div>"


def sla_chart(items: Sequence[SeverityCompliance]) -> str:
    """Horizontal bars: the share of each severity's incidents acknowledged within its SLA."""
    return share_chart([(f"{item.severity} {item.name} (SLA {item.response_sla})",
                         item.share_within, f"{item.severity}: {item.within} of "
                                            f"{item.within + item.breached} within SLA")
                        for item in items], "SLA compliance per severity")


def share_chart(rows: Sequence[tuple[str, float | None, str]], title: str) -> str:
    """Horizontal bars, one per (label, share, tooltip): green at 100 %, amber from 90 %."""
    row, label_width = 30, 220
    height = row * max(1, len(rows)) + 10
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_width + BAR_WIDTH + 90}" '
             f'height="{height}" role="img" aria-label="{_e(title)}">']
    for index, (label, share, tooltip) in enumerate(rows):
        y = 5 + index * row
        parts.append(f'<text x="4" y="{y + 19}" font-size="13">{_e(label)}</text>')
        parts.append(f'<rect x="{label_width}" y="{y + 4}" width="{BAR_WIDTH}" height="20" '
                     'fill="#eef0f4"/>')
        if share is None:
            parts.append(f'<text x="{label_width + 6}" y="{y + 19}" font-size="12" '
                         'fill="#555f70">no incidents with an outcome</text>')
            continue
        colour = "#2e7d32" if share == 1 else ("#e0a000" if share >= 0.9 else "#c62828")
        parts.append(f'<rect x="{label_width}" y="{y + 4}" width="{share * BAR_WIDTH:.1f}" '
                     f'height="20" fill="{colour}"><title>{_e(tooltip)}</title></rect>')
        parts.append(f'<text x="{label_width + BAR_WIDTH + 6}" y="{y + 19}" font-size="13">'
                     f"{_e(share_text(share))}</text>")
    parts.append("</svg>")
    return "".join(parts)


def coverage_timeline(item: ScheduleCoverage, hours: Hours) -> str:
    """The period as a bar: required time in green, gaps in red, with dates underneath."""
    if item.measured is None or item.result is None or item.requirement is None:
        return ""
    measured = item.measured
    x = _scale(measured)

    def bar(interval: Interval, colour: str, minimum: float, title: str = "") -> str:
        left = x(interval.start)
        width = max(minimum, x(interval.end) - left)
        tooltip = f"<title>{_e(title)}</title>" if title else ""
        return (f'<rect x="{left:.2f}" y="4" width="{width:.2f}" height="22" '
                f'fill="{colour}">{tooltip}</rect>')

    zone = live_zone(item.time_zone or "") or hours.zone
    required = required_time(item.requirement, measured, zone, hours)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{TIMELINE_WIDTH}" height="46" '
             f'role="img" aria-label="Coverage of {_e(item.schedule)}">',
             f'<rect x="0" y="4" width="{TIMELINE_WIDTH}" height="22" fill="#eef0f4"/>']
    parts += [bar(interval, "#7cc47f", 0.0) for interval in required]
    parts += [bar(gap, "#c62828", 1.5, f"gap {iso(gap.start)} to {iso(gap.end)} "
                                     f"({human_duration(gap.length.total_seconds())})")
              for gap in item.result.gaps]
    parts += _date_ticks(measured)
    parts.append("</svg>")
    return "".join(parts)


def _scale(measured: Interval) -> Callable[[datetime], float]:
    """Where a moment of ``measured`` falls on a timeline's bar."""
    span = (measured.end - measured.start).total_seconds()

    def x(moment: datetime) -> float:
        return (moment - measured.start).total_seconds() / span * TIMELINE_WIDTH

    return x


@functools.lru_cache(maxsize=16)
def _date_ticks(measured: Interval) -> tuple[str, ...]:
    """The dates under a timeline's bar, at ``TICKS`` even steps of the measured period. Kept:
    the timelines of a package (one a service, thousands) nearly all measure the same period."""
    x = _scale(measured)
    labels = []
    for tick in range(TICKS + 1):
        moment = measured.start + (measured.end - measured.start) * tick / TICKS
        anchor = "start" if tick == 0 else ("end" if tick == TICKS else "middle")
        labels.append(f'<text x="{x(moment):.1f}" y="42" font-size="11" text-anchor="{anchor}" '
                      f'fill="#555f70">{_e(moment.date().isoformat())}</text>')
    return tuple(labels)


def paging_timeline(item: ServicePaging) -> str:
    """The measured period as a bar: green where a call came in time (or the service need not
    page), red where none would have, grey where that is not known (not read), with dates
    underneath."""
    if item.measured is None:
        return ""
    measured = item.measured
    x = _scale(measured)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{TIMELINE_WIDTH}" height="46" '
             f'role="img" aria-label="Paging path of {_e(item.service)}, {_e(item.severity)}">',
             f'<rect x="0" y="4" width="{TIMELINE_WIDTH}" height="22" fill="#7cc47f"/>']
    for colour, stretches in (("#c62828", item.uncalled), ("#9aa1ad", item.unread)):
        for stretch in stretches:
            left = x(stretch.interval.start)
            parts.append(
                f'<rect x="{left:.2f}" y="4" '
                f'width="{max(1.5, x(stretch.interval.end) - left):.2f}" height="22" '
                f'fill="{colour}"><title>{iso(stretch.interval.start)} to '
                f"{iso(stretch.interval.end)}: {_e(stretch.why)}</title></rect>")
    parts += _date_ticks(measured)
    parts.append("</svg>")
    return "".join(parts)


def _incident_cells(incident: AssessedIncident) -> list[str]:
    record = incident.record
    return [_e(record.label), _e("—" if record.title is None else record.title),
            _e(record.service or "—"),
            _e(record.priority or "—"), _time(record.created_at)]


def _unread_note(evidence: Evidence) -> str:
    """Under a table per severity: the incidents of unknown severity it does not hold."""
    note = severity_unread_note(evidence)
    return "" if note is None else f'<p class="note severity-unread">{_e(note)}.</p>'


def _sla_section(evidence: Evidence) -> str:
    if evidence.incidents is None:
        return (f'<h2>SLA compliance per severity</h2><p id="sla-not-measured">'
                f"{_e(NOT_MEASURED.capitalize())}: {_e(skip_reason(evidence, 'sla'))}.</p>")
    rows = [[f'<span id="sla-{_e(item.severity)}">{_e(item.severity)}</span>', _e(item.name),
             _e(item.response_sla), _e(item.location), str(item.incidents), str(item.within),
             str(item.breached), str(item.pending), _e(share_text(item.share_within)),
             _e(human_duration(item.median_seconds_to_acknowledge)),
             _e(human_duration(item.p90_seconds_to_acknowledge))] for item in evidence.sla]
    parts = ["<h2>SLA compliance per severity</h2>", sla_chart(evidence.sla),
             _table(("severity", "name", "response SLA", "documented at", "incidents", "within",
                     "breached", "pending", "share within", "median ack", "p90 ack"), rows,
                    numeric=range(4, 11), element_id="sla-table"), _unread_note(evidence),
             '<p class="note">Pending: not acknowledged, deadline not yet passed; left out of '
             'the share. Full figures in <a href="sla.csv">sla.csv</a>.</p>']
    breaches = [breach for item in evidence.sla for breach in item.breaches]
    parts.append(f"<h3>Breaches ({len(breaches)})</h3>")
    shown, note = _cut(breaches, "sla-breaches.csv")
    parts.append(_table(
        ("incident", "title", "service", "priority", "created", "severity", "deadline",
         "acknowledged", "time to ack"),
        ([*_incident_cells(breach), _e(breach.severity), _time(breach.ack_deadline)
          + (f"<br>{_e(breach.ack_deadline_local)}" if breach.ack_deadline_local else ""),
          _time(breach.record.acknowledged_at) if breach.record.acknowledged_at
          else "<em>never</em>", _e(human_duration(breach.record.seconds_to_acknowledge))]
         for breach in shown), element_id="breaches-table"))
    return "".join(parts) + note


def _resolution_section(evidence: Evidence) -> str:
    if not evidence.resolution:
        return ""
    rows = [[f'<span id="resolution-{_e(item.severity)}">{_e(item.severity)}</span>',
             _e(item.name), _e(item.resolve_within), _e(item.location), str(item.incidents),
             str(item.within), str(item.breached), str(item.pending),
             _e(share_text(item.share_within)), _e(human_duration(item.median_seconds_to_resolve)),
             _e(human_duration(item.p90_seconds_to_resolve))] for item in evidence.resolution]
    breaches = [breach for item in evidence.resolution for breach in item.breaches]
    shown, note = _cut(breaches, "resolution-breaches.csv")
    return "".join([
        "<h2>Resolution per severity</h2>",
        share_chart([(f"{item.severity} {item.name} (within {item.resolve_within})",
                      item.share_within, f"{item.severity}: {item.within} of "
                                         f"{item.within + item.breached} resolved in time")
                     for item in evidence.resolution], "Resolution per severity"),
        _table(("severity", "name", "resolve within", "documented at", "incidents", "within",
                "breached", "pending", "share within", "median", "p90"), rows,
               numeric=range(4, 11), element_id="resolution-table"), _unread_note(evidence),
        f'<p class="note">Time from the trigger to '
        f"{_e(evidence.resolution[0].measured_to)}. Breached: resolved after the "
        "deadline, or still open past it; pending: open, deadline not yet passed. Full figures "
        'in <a href="resolution.csv">resolution.csv</a>.</p>',
        f"<h3>Resolution breaches ({len(breaches)})</h3>",
        _table(("incident", "title", "service", "priority", "created", "severity", "deadline",
                "resolved", "time to resolve"),
               ([*_incident_cells(breach), _e(breach.severity), _time(breach.resolve_deadline),
                 _time(breach.record.resolved_at) if breach.record.resolved_at
                 else "<em>still open</em>",
                 _e(human_duration(breach.record.seconds_to_resolve))] for breach in shown),
               element_id="resolution-breaches-table"), note])


def trend_chart(rows: Sequence[TrendRow]) -> str:
    """One band per severity, one group per month: the share acknowledged within the SLA (dark)
    and resolved within resolve_within (light), with the month's incidents underneath."""
    months = list(dict.fromkeys(row.month for row in rows))
    severities = list(dict.fromkeys(row.severity for row in rows))
    band, label_width, column, bar = 80, 70, 76, 26
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_width + column * len(months)}"'
             f' height="{band * len(severities) + 24}" role="img" aria-label="Trend per month">']
    for index, month in enumerate(months):
        parts.append(f'<text x="{label_width + index * column + 4}" y="14" font-size="11" '
                     f'fill="#555f70">{_e(month)}</text>')
    for row in rows:
        top = 24 + severities.index(row.severity) * band
        left = label_width + months.index(row.month) * column + 4
        if months.index(row.month) == 0:
            parts.append(f'<text x="4" y="{top + 34}" font-size="13">{_e(row.severity)}</text>')
        for offset, share, colour, what in (
                (0, row.share_acknowledged_within, "#1d4e89", "acknowledged within SLA"),
                (bar + 2, row.share_resolved_within, "#7fa7d6", "resolved within")):
            height = 50 * (share or 0)
            parts.append(f'<rect x="{left + offset}" y="{top + 50 - height:.1f}" width="{bar}" '
                         f'height="{height:.1f}" fill="{colour}"><title>{_e(row.severity)} '
                         f"{_e(row.month)}: {_e(share_text(share))} {what}</title></rect>")
        parts.append(f'<text x="{left}" y="{top + 64}" font-size="11" fill="#555f70">'
                     f"{counted(row.incidents, 'incident')}</text>")
    parts.append("</svg>")
    return "".join(parts)


def _communication_section(evidence: Evidence) -> str:
    if evidence.incidents is None or not evidence.communication:
        return ""
    exceptions = [incident for item in evidence.communication for incident in item.exceptions]
    shown, note = _cut(exceptions, "communication-exceptions.csv")
    return "".join([
        "<h2>Communication per severity</h2>",
        "<p>Within the documented time of the trigger: a responder request made (its time, from "
        "the incident's responder requests) and someone subscribed to the incident's status "
        "updates (PagerDuty gives no time of subscription). All figures in "
        '<a href="communication.csv">communication.csv</a>.</p>',
        _table(("severity", "within", "who", "documented at", "required", "in time", "late",
                "missing", "pending", "not judged"),
               ([f'<span id="communication-{_e(item.severity)}">{_e(item.severity)}</span>',
                 _e(item.notify_within), _e(", ".join(item.notify)), _e(item.location),
                 str(item.required), str(item.within), str(item.late), str(item.missing),
                 str(item.pending), str(item.not_judged)] for item in evidence.communication),
               numeric=range(4, 10), element_id="communication-table"),
        _unread_note(evidence),
        f"<h3>Late or missing ({len(exceptions)})</h3>",
        _table(("incident", "title", "service", "priority", "created", "status", "deadline",
                "responders requested", "subscribers"),
               ([*_incident_cells(incident),
                 _e(incident.communication.status.value if incident.communication else "—"),
                 _time(incident.communication.deadline if incident.communication else None),
                 _time(incident.communication.responders_requested_at
                       if incident.communication else None),
                 _e("—" if incident.communication is None
                    or incident.communication.subscribers is None
                    else incident.communication.subscribers)] for incident in shown),
               element_id="communication-exceptions"), note])


def _trend_section(evidence: Evidence) -> str:
    if not evidence.trend:
        return ""
    return "".join([
        "<h2>Trend per month</h2>",
        "<p>Per month of the period (in the organisation's time zone) and severity: incidents "
        "created, and the shares acknowledged within the response SLA (dark) and resolved "
        "within resolve_within (light), pending incidents left out. All in "
        '<a href="trend.csv">trend.csv</a>.</p>', trend_chart(evidence.trend),
        _table(("month", "severity", "incidents", "acknowledged within SLA", "resolved within"),
               ([_e(row.month), _e(row.severity), str(row.incidents),
                 _e(trend_cell(row.acknowledged_within, row.acknowledgement_decided)),
                 _e(trend_cell(row.resolved_within, row.resolution_decided))]
                for row in evidence.trend),
               numeric=(2,), element_id="trend-table")])


def _postmortem_section(evidence: Evidence) -> str:
    if evidence.postmortem_source is None:
        return ""
    rows = [[_e(item.severity), _e(item.within_text), _e(item.location),
             str(item.required), str(item.on_time), str(item.late), str(item.missing),
             str(item.pending), str(item.not_judged)] for item in evidence.postmortems]
    exceptions = [incident for item in evidence.postmortems for incident in item.exceptions]
    shown, note = _cut(exceptions, "postmortem-exceptions.csv")
    return "".join([
        "<h2>Postmortems</h2>",
        f'<p>Recorded in {_e(evidence.postmortem_source)}; the deadline runs from resolution. '
        'All figures in <a href="postmortems.csv">postmortems.csv</a>.</p>',
        _table(("severity", "deadline", "documented at", "required", "on time", "late",
                "missing", "pending", "not judged"), rows, numeric=range(3, 9),
               element_id="postmortem-table"), _unread_note(evidence),
        f"<h3>Missing or late ({len(exceptions)})</h3>" + _table(
            ("incident", "title", "service", "priority", "created", "status", "resolved",
             "due", "postmortem"),
            ([*_incident_cells(incident),
              _e(incident.postmortem.status.value if incident.postmortem else "—"),
              _time(incident.record.resolved_at),
              _time(incident.postmortem.due_at if incident.postmortem else None),
              _e(incident.postmortem.found.reference) if incident.postmortem
              and incident.postmortem.found else "—"] for incident in shown),
            element_id="postmortem-exceptions") + note if postmortems_judged(evidence) else
        f"<h3>Missing or late: {_e(NOT_MEASURED)}</h3>",
        _unmatched_rows(evidence)])


def _unmatched_rows(evidence: Evidence) -> str:
    rows = evidence.unmatched_register_rows
    if not rows:
        return ""
    shown, note = _cut(rows, "evidence.json")
    return "".join([
        f"<h3>Register rows matching no incident ({len(rows)})</h3>",
        f"<p>{_e(unmatched_rows_text(rows))}.</p>",
        _table(UNMATCHED_COLUMNS,
               ([_e(register_row_entry(row)[column]) for column in UNMATCHED_COLUMNS]
                for row in shown), element_id="postmortem-unmatched"),
        note])


def _coverage_section(evidence: Evidence, hours: Hours) -> str:
    gaps_file = ('All gaps are in <a href="coverage-gaps.csv">coverage-gaps.csv</a>.'
                 if "coverage-gaps.csv" in evidence.files else "")
    parts = ["<h2>On-call coverage</h2>",
             '<p>From each schedule\'s final schedule rendered over the period. Green: time '
             f'that must be covered; red: gaps. {gaps_file}</p>']
    for number, item in enumerate(evidence.coverage, 1):
        result = item.result
        figure = (f'<span id="coverage-{number}">{_e(share_text(result.share))}</span> covered'
                  f", {len(result.gaps)} gap(s)" if result else _e(item.problem or "not measured"))
        zone = _e(item.time_zone or "—") + (f" ({_e(item.time_zone_source)})"
                                           if item.time_zone_source else "")
        parts.append(f"<h3>{_e(item.schedule)}</h3><p>Requirement "
                     f"{_e(item.requirement or 'none documented')} (documented at "
                     f"{_e(item.location)}), counted in {zone}: "
                     f"{figure}" + (f" ({_e(item.note)})" if item.note else "") + ".</p>")
        parts.append(coverage_timeline(item, hours))
        if result and result.gaps:
            gaps = result.gaps[:ROW_LIMIT]
            parts.append(_table(("gap start", "gap end", "length"),
                                ([_time(gap.start), _time(gap.end),
                                  _e(human_duration(gap.length.total_seconds()))]
                                 for gap in gaps), numeric=(2,)))
            if len(result.gaps) > ROW_LIMIT:
                parts.append(f'<p class="note">First {ROW_LIMIT} of {len(result.gaps)}.</p>')
    return "".join(parts)


def _paging_section(evidence: Evidence) -> str:
    if not evidence.paging:
        return ""
    parts = ["<h2>Paging path</h2>",
             "<p>Had an incident of the severity been triggered on the service at any moment of "
             "the period, would someone have been phoned or texted within the deadline? "
             "Worked out from the escalation policy, the rendered schedules (overrides "
             "included), the urgency rules and support hours and each person's notification "
             "rules. Green: a call in time, or time the service need not page; red: none; "
             "grey: not known (not read). "
             'All stretches are in <a href="paging-uncalled.csv">paging-uncalled.csv</a>.</p>']
    for number, item in enumerate(evidence.paging, 1):
        figure = (f'<span id="paging-{number}">{_e(share_text(item.share))}</span> of the time '
                  "with a call in time" if item.required is not None
                  else _e(item.problem or NOT_MEASURED))
        unread = (f"; not read for {_e(human_duration(item.not_read.total_seconds()))}"
                  if item.not_read else "")
        note = f" ({_e(item.note)})" if item.note else ""
        parts.append(f"<h3>{_e(item.service)}: {_e(item.severity)}</h3><p>First call within "
                     f"{_e(item.within)} (documented at {_e(item.location)}): {figure}"
                     f"{unread}{note}.</p>")
        parts.append(paging_timeline(item))
        if item.uncalled:
            shown = item.uncalled[:ROW_LIMIT]
            parts.append(_table(("start", "end", "length", "why"), (
                [_time(stretch.interval.start), _time(stretch.interval.end),
                 _e(human_duration(stretch.interval.length.total_seconds())), _e(stretch.why)]
                for stretch in shown), numeric=(2,)))
            if item.uncalled_count is not None and item.uncalled_count > len(shown):
                parts.append(f'<p class="note">First {len(shown)} of {item.uncalled_count}.</p>')
    return "".join(parts)


def _action_rows(actions: Sequence[ActionRecord]) -> list[list[str]]:
    return [[_e(action.incident or "—"), _e(action.action), _e(action.owner),
             _e(action.due.isoformat()), _e(action.closed_on.isoformat() if action.closed_on
                                            else "—"),
             f'<span class="bad">{_e(action.status.value)}</span>'
             if action.status.value in ("overdue", "closed_late") else _e(action.status.value),
             _e(action.location)] for action in actions]


ACTION_HEADER = ("incident", "action", "owner", "due", "closed", "status", "documented at")


def _programme_section(evidence: Evidence) -> str:
    """Corrective actions, exercises and training, each when the policy documents it."""
    parts = []
    actions = evidence.corrective_actions
    if actions is not None:
        shown, note = _cut(actions.actions, "corrective-actions.csv")
        parts += ["<h2>Corrective actions</h2>",
                  f"<p>Register {_e(actions.register)}, judged on {_e(actions.as_of)}: "
                  f"{len(actions.actions)} action(s), {_e(action_counts_text(actions.actions))}."
                  "</p>"]
        if actions.by_incident is None:
            parts.append(f"<p>Per incident: {_e(NOT_MEASURED)} "
                         f"({_e(skip_reason(evidence, 'incidents'))}).</p>")
        else:
            by_incident, more = _cut(actions.by_incident, "corrective-actions-by-incident.csv")
            parts += ["<h3>Per incident of the period</h3>", _table(
                ("incident", "open", "overdue", "closed late", "closed on time"),
                ([_e(item.incident), str(item.open), str(item.overdue), str(item.closed_late),
                  str(item.closed_on_time)] for item in by_incident), numeric=range(1, 5),
                element_id="actions-by-incident"), more]
        parts += ["<h3>Every action</h3>", _table(ACTION_HEADER, _action_rows(shown),
                                                    element_id="actions-table"), note]
    if evidence.exercises:
        parts += ["<h2>Tabletop exercises</h2>", _table(
            ("date", "scenario", "in period", "participants", "findings", "documented at"),
            ([_e(item.held_on.isoformat()), _e(item.scenario),
              "yes" if item.in_period else "no", _e(", ".join(item.participants)),
              _e("; ".join(item.findings) or "—"), _e(item.location)]
             for item in evidence.exercises), element_id="exercises-table")]
        items = [action for item in evidence.exercises for action in item.actions]
        if items:
            parts += ["<h3>Action items</h3>", _table(ACTION_HEADER, _action_rows(items),
                                                      element_id="exercise-actions")]
    training = evidence.training
    if training is not None:
        shown_people, more = _cut(training.people, "training.csv")
        parts += ["<h2>Training</h2>", f"<p>{_e(training_text(training))}. Everyone is in "
                  '<a href="training.csv">training.csv</a>.</p>', _table(
                      ("person", "on call", "latest record", "valid until", "current"),
                      ([_e(f"{person.name} ({person.email or 'email not read'})"),
                        _e(", ".join(person.on_call)),
                        _e(f"{person.course}, {person.completed} ({person.location})"
                           if person.course else "none"),
                        _e(person.valid_until or "—"),
                        "yes" if person.current else '<span class="bad">no</span>']
                       for person in shown_people), element_id="training-table"), more]
    elif skip_reason(evidence, "training") is not None:
        parts.append(f"<h2>Training</h2><p>{_e(NOT_MEASURED.capitalize())}: "
                     f"{_e(skip_reason(evidence, 'training'))}.</p>")
    return "".join(parts)


def _changes_section(evidence: Evidence) -> str:
    changes = evidence.changes
    if changes is None:
        return ""
    unavailable = unavailable_changes(changes)
    return "".join([
        "<h2>Configuration changes</h2>",
        "" if unavailable is None else f'<p class="banner" id="changes-unavailable">'
                                       f"{_e(unavailable)}.</p>",
        f"<p>{changes.total} change(s) recorded by the Audit Trail in the period, "
        f"{changes.documented} to objects the policy documents{_e(not_known_note(changes))}. "
        "Every change is in "
        '<a href="changes.csv">changes.csv</a>.</p>',
        _table(("object type", "changes"), ([_e(kind), str(count)]
                                            for kind, count in changes.by_type), numeric=(1,)),
        f"<h3>Changes to documented objects (newest first, at most {changes.shown_limit})</h3>",
        _table(("when", "who", "action", "object", "fields (before -> after where recorded)"),
               ([_time(change.at), _e(change.actor), _e(change.action),
                 _e(f"{change.resource_type}: {change.resource_name or change.resource_id}"),
                 _e(NOT_READ if change.fields is None or change.values is None
                    else "; ".join(map(str, change.values)) if change.values
                    else ", ".join(change.fields))]
                for change in changes.documented_changes),
               element_id="changes-table"),
    ])


def _drift_section(evidence: Evidence) -> str:
    drift = evidence.drift
    if drift is None:
        return ""
    links = ", ".join(f'<a href="{_e(name)}">{_e(name)}</a>' for name in drift.files)
    counts = ", ".join(f"{count} {_e(severity)}" for severity, count in drift.by_severity)
    unchecked = (f'; <span id="drift-not-checked">{drift.not_checked}</span> not checked '
                 "(checks that could not be made, never passed)" if drift.not_checked else "")
    skipped = f"; {drift.skipped} check(s) skipped" if drift.skipped else ""
    return (f"<h2>Drift</h2><p>The account against the policy: {_e(drift_scope(drift))}. "
            f'<span id="drift-findings">{drift.findings}</span> finding(s): {counts}'
            f"{unchecked}{skipped}. Reports: {links}.</p>")


HISTORY_LABEL_WIDTH = 260
HISTORY_ROW = 18
SEVERITY_COLOURS = {"error": "#c62828", "warning": "#e0a000", "info": "#5b7fb8"}
WAIVED_COLOUR = "#9aa3b2"


def history_timeline(section: HistorySection) -> str:
    """The measured period as rows: the drift check's runs (ticks) and monitoring gaps (red)
    on top, then one bar per drift from first seen to resolved (or the period's end)."""
    line = section.timeline
    span = (line.until - line.since).total_seconds()
    drifts = (section.drifts or ())[:ROW_LIMIT]
    height = HISTORY_ROW * (len(drifts) + 1) + 24
    width = HISTORY_LABEL_WIDTH + TIMELINE_WIDTH

    def x(moment: datetime) -> float:
        placed = min(max((moment - line.since).total_seconds(), 0.0), span)
        return HISTORY_LABEL_WIDTH + placed / span * TIMELINE_WIDTH

    def label(row: int, text: str) -> str:
        shown = text if len(text) <= 40 else text[:39] + "…"
        return (f'<text x="4" y="{row * HISTORY_ROW + 13}" font-size="11" fill="#1d2433">'
                f"{_e(shown)}</text>")

    def bar(row: int, start: datetime, end: datetime, colour: str, title: str,
            element_id: str = "") -> str:
        left = x(start)
        attribute = f' id="{_e(element_id)}"' if element_id else ""
        return (f'<rect{attribute} x="{left:.2f}" y="{row * HISTORY_ROW + 3}" '
                f'width="{max(1.5, x(end) - left):.2f}" height="{HISTORY_ROW - 6}" '
                f'fill="{colour}"><title>{_e(title)}</title></rect>')

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" id="history-timeline" width="{width}" '
             f'height="{height}" role="img" aria-label="Drift history">',
             label(0, "drift check runs"),
             f'<rect x="{HISTORY_LABEL_WIDTH}" y="3" width="{TIMELINE_WIDTH}" '
             f'height="{HISTORY_ROW - 6}" fill="#e3f1e4"/>']
    parts += [bar(0, gap.start, gap.end, "#c62828",
                  f"no complete run {iso(gap.start)} to {iso(gap.end)} "
                  f"({human_duration(gap.length.total_seconds())})")
              for gap in line.gaps or ()]
    parts += [f'<line x1="{x(run.checked_at):.2f}" x2="{x(run.checked_at):.2f}" y1="2" '
              f'y2="{HISTORY_ROW - 2}" stroke="{"#1e7d32" if run.complete else "#e0a000"}" '
              f'stroke-width="1"><title>{_e(iso(run.checked_at))}'
              f'{"" if run.complete else " (incomplete)"}</title></line>'
              for run in line.runs]
    for row, tracked in enumerate(drifts, start=1):
        drift, finding = tracked.drift, tracked.drift.finding
        colour = WAIVED_COLOUR if finding.waived else SEVERITY_COLOURS[finding.severity.value]
        end = drift.resolved_at or line.until
        parts.append(label(row, f"{finding.rule} {finding.resource.name or finding.resource.id}"))
        parts.append(bar(row, drift.first_seen, end, colour,
                         f"{finding.rule} {finding.resource}: first seen {iso(drift.first_seen)}, "
                         + (f"resolved {iso(drift.resolved_at)}" if drift.resolved_at
                            else "open"), f"history-drift-{row}"))
    for tick in range(TICKS + 1):
        moment = line.since + (line.until - line.since) * tick / TICKS
        anchor = "start" if tick == 0 else ("end" if tick == TICKS else "middle")
        parts.append(f'<text x="{x(moment):.1f}" y="{height - 6}" font-size="11" '
                     f'text-anchor="{anchor}" fill="#555f70">'
                     f"{_e(moment.date().isoformat())}</text>")
    parts.append("</svg>")
    return "".join(parts)


def _history_section(evidence: Evidence) -> str:
    section = evidence.history
    if section is None:
        return ""
    line = section.timeline
    if line.gaps is None:
        monitored = ("Monitoring gaps: not measured (the policy documents no "
                     "drift_check_every).")
    else:
        monitored = (f'Monitored <span id="history-monitored">'
                     f"{_e(share_text(monitored_share(section)))}</span> of the period: "
                     f'<span id="history-gaps">{len(line.gaps)}</span> interval(s) longer than '
                     f"the documented cadence ({_e(section.cadence)}) without a "
                     "complete run.")
    days = line.error_days()
    not_read = "not read" if not section.changes_read else "—"

    def change(found: ConfigurationChange | None) -> str:
        return (_e(not_read) if found is None
                else f"{_e(found.actor)} at {_time(found.at)} ({_e(found.id)})")

    drifts, cut = _cut(section.drifts or (), HISTORY_CSV)
    rows = [[_e(tracked.drift.finding.rule), _e(tracked.drift.finding.severity.value
                                        + (" (waived)" if tracked.drift.finding.waived else "")),
             _e(tracked.drift.finding.resource), _time(tracked.drift.first_seen),
             _time(tracked.drift.resolved_at) if tracked.drift.resolved_at else "open",
             _e(tracked.days_open), change(tracked.opened_by), change(tracked.closed_by)]
            for tracked in drifts]
    gaps = "" if not line.gaps else _table(
        ("gap from", "to", "length"),
        ([_time(gap.start), _time(gap.end), _e(human_duration(gap.length.total_seconds()))]
         for gap in line.gaps), element_id="history-gap-table")
    error_days = (f'Drifts and days with an open error: <span id="history-error-days">'
                  f"{_e(NOT_MEASURED)}</span>: {_e(NO_RUN)}." if days is None else
                  f'<span id="history-error-days">{len(days)}</span> day(s) with at least one '
                  f"open error (UTC){': ' + _e(day_list(days)) if days else ''}.")
    files = ", ".join(f'<a href="{name}">{name}</a>' for name in (HISTORY_CSV, RUNS_CSV)
                      if name in evidence.files)
    if section.drifts is None:
        table = ""
    elif rows:
        table = _table(("rule", "severity", "object", "first seen", "resolved", "days open",
                        "opened by", "closed by"), rows, numeric=(5,),
                       element_id="history-table")
    else:
        table = "<p>No drift was open during the measured period.</p>"
    return "".join([
        "<h2 id=\"history\">Continuous compliance: drift history</h2>",
        f'<p><span id="history-runs">{len(line.runs)}</span> drift run(s) of '
        f"{_e(section.stream)} recorded in {_e(section.folder)} during the measured period. "
        f"{monitored} {error_days} Files: {files}.</p>",
        history_timeline(section), gaps, table, cut,
    ])


def _period_banner(evidence: Evidence) -> str:
    note = period_note(evidence)
    if note is None:
        return ""
    return f'<div class="banner" id="period-note"><b>{_e(note[0].upper() + note[1:])}.</b></div>'


def render_html(evidence: Evidence, business_hours: Hours) -> str:
    """The whole page; ``business_hours`` places a business-hours requirement on the timeline."""
    return "".join(html_page(evidence, business_hours))


def html_page(evidence: Evidence, business_hours: Hours) -> Iterator[str]:
    """The page (``render_html``) as its sections, each made when it is asked for: the package
    writes one and lets it go before the next, never holding the whole page (tens of megabytes
    with a year of paging stretches) or its copy in one text."""
    policy = evidence.policy
    commit = policy.git_commit or "not in a git repository"
    modified = " (policy files modified since this commit)" if policy.git_modified else ""
    banner = ""
    if evidence.skipped:
        items = "".join(f"<li>{_e(part.line)}</li>" for part in skipped_parts(evidence))
        banner = (f'<div class="banner" id="incomplete"><b>{_e(incomplete_text(evidence))}.'
                  f"</b><ul>{items}</ul></div>")
    source = ""
    if evidence.incident_source:
        source = f"<p>Incidents read from {_e(evidence.incident_source)}."
        if evidence.incident_source_note:
            source += f" {_e(evidence.incident_source_note)}."
        without = evidence.incidents_without_severity
        if without is not None:
            source += f" {counted(without, 'incident')} without a documented severity."
        source += (' Every incident is in the register: <a href="incidents.csv">'
                   'incidents.csv</a>, <a href="incidents.json">incidents.json</a>.</p>')
    files = "".join(f'<li><a href="{_e(name)}">{_e(name)}</a></li>' for name in evidence.files)
    title = f"Incident-response evidence: {evidence.organisation}"
    yield "".join([
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(title)}</title><style>{STYLE}</style></head><body><main>",
        f"<h1>{_e(title)}</h1>",
        f'<p class="meta">Period <span id="period-since">{_time(evidence.period.start)}</span> '
        f'to <span id="period-until">{_time(evidence.period.end)}</span>. Generated '
        f"{_time(evidence.generated_at)} by pdlint {_e(evidence.pdlint_version)}"
        + (f" from {_e(evidence.api_url)}" if evidence.api_url else "")
        + f". Policy commit {_e(commit)}{_e(modified)}.</p>",
        _period_banner(evidence), banner, _headline(evidence), source])
    yield _sla_section(evidence)
    yield _resolution_section(evidence)
    yield _communication_section(evidence)
    yield _trend_section(evidence)
    yield _postmortem_section(evidence)
    yield _coverage_section(evidence, business_hours)
    yield _paging_section(evidence)
    yield _programme_section(evidence)
    yield _changes_section(evidence)
    yield _drift_section(evidence)
    yield _history_section(evidence)
    yield ("<h2>Files</h2><p>Checksums of every file are in "
           '<a href="manifest.json">manifest.json</a>; how each figure is computed is explained '
           f"in pdlint's docs/evidence.md.</p><ul>{files}</ul></main></body></html>\n")
