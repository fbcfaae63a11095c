"""Snapshots: a LiveState saved as versioned JSON, so drift can be checked offline and later.

The format is a contract (see docs/architecture.md): ``format``, ``format_version``,
``pdlint_version``, ``api_url``, ``fetched_at``, ``window`` {since, until}, ``redacted``,
``objects`` by collection exactly as the API returned them, and ``skipped``
[{collection, reason}]. Contact-method addresses (phone numbers, emails used for paging) are
replaced by ``REDACTED`` unless the caller asks otherwise; an unredacted snapshot is written
readable by its owner only. Files are written atomically: a reader never sees half a snapshot.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from pdlint.collector import collector_paused
from pdlint.errors import PdlintError, reading
from pdlint.files import write_atomically
from pdlint.findings import Skipped
from pdlint.isotime import parse_datetime
from pdlint.pagerduty.state import COLLECTIONS, LiveState, Window, format_utc

LATER = ("maintenance_windows", "incident_workflows", "workflow_triggers",
         "service_orchestrations", "event_orchestrations", "orchestration_routers",
         "alert_grouping_settings")
"""Collections added after snapshots of this format were first written, in COLLECTIONS order."""

SNAPSHOT_FORMAT = "pdlint-snapshot"
SNAPSHOT_VERSION = 1
REDACTED = "***redacted***"
_CONTACT_METHOD_TYPE = '_contact_method"'
"""How the type of a contact method ends in JSON text (``"type": "phone_contact_method"``)."""


class SnapshotError(PdlintError):
    """A snapshot file is missing, unreadable, or not a pdlint snapshot of a known version."""


def redact(state: LiveState) -> LiveState:
    """``state`` with every contact method's ``address`` replaced; type and label are kept."""
    return _encoded_state(state, redact=True)[0]


def _encoded_state(state: LiveState, *, redact: bool) -> tuple[LiveState, dict[str, list[str]]]:
    """The state as written (redacted if asked) and each of its objects as JSON text."""
    objects: dict[str, tuple[dict[str, Any], ...]] = {}
    texts: dict[str, list[str]] = {}
    for kind, items in state.objects.items():
        encoded = [_encoded(obj, redact=redact) for obj in items]
        objects[kind] = tuple(obj for obj, _ in encoded)
        texts[kind] = [text for _, text in encoded]
    written = LiveState(api_url=state.api_url, fetched_at=state.fetched_at, window=state.window,
                        objects=objects, skipped=state.skipped)
    return written, texts


def _encoded(obj: dict[str, Any], *, redact: bool) -> tuple[dict[str, Any], str]:
    """``obj`` and its JSON text; with ``redact``, a copy without contact addresses if it holds
    any. Only objects whose text names a contact method are walked in Python: on a large
    account, the rendered schedules that make most of a snapshot are encoded once and no more.
    """
    text = json.dumps(obj, ensure_ascii=False)
    if redact and _CONTACT_METHOD_TYPE in text:
        obj = _without_addresses(obj)
        text = json.dumps(obj, ensure_ascii=False)
    return obj, text


def _without_addresses(value: dict[str, Any] | list[Any]) -> Any:
    """A copy of ``value`` without contact addresses, wherever contact methods are nested."""
    if isinstance(value, list):
        return [_without_addresses(item) if isinstance(item, dict | list) else item
                for item in value]
    copy = {key: _without_addresses(item) if isinstance(item, dict | list) else item
            for key, item in value.items()}
    kind = copy.get("type")
    if isinstance(kind, str) and kind.endswith("_contact_method") and "address" in copy:
        copy["address"] = REDACTED
    return copy


def snapshot_document(state: LiveState, *, redacted: bool) -> dict[str, Any]:
    """The JSON document of ``state``; ``redacted`` records whether addresses were removed."""
    from pdlint import __version__

    return {
        "format": SNAPSHOT_FORMAT,
        "format_version": SNAPSHOT_VERSION,
        "pdlint_version": __version__,
        "api_url": state.api_url,
        "fetched_at": format_utc(state.fetched_at),
        "window": state.window.to_dict(),
        "redacted": redacted,
        "objects": {kind: list(items) for kind, items in state.objects.items()},
        "skipped": [{"collection": skip.rule, "reason": skip.reason} for skip in state.skipped],
    }


def _render(document: dict[str, Any], texts: dict[str, list[str]]) -> str:
    """The document as JSON text, its objects given as ``texts``, one API object a line.

    A line per object keeps two snapshots comparable with a line diff, and lets the C encoder
    do the work: an indented dump runs in pure Python, about ten times slower on a large account.
    """
    head = json.dumps({**document, "objects": {}}, indent=1, ensure_ascii=False)
    collections = ",\n".join(
        f"  {json.dumps(kind)}: [" + ",".join(f"\n   {text}" for text in lines)
        + ("\n  ]" if lines else "]")
        for kind, lines in texts.items())
    # The key is the only place the text '"objects": {}' can occur: quotes in values are escaped.
    return head.replace('"objects": {}', f'"objects": {{\n{collections}\n }}', 1) + "\n"


def snapshot_text(state: LiveState, *, redact_addresses: bool = True) -> tuple[LiveState, str]:
    """The snapshot of ``state`` as JSON text, and the state as written (redacted or not)."""
    written, texts = _encoded_state(state, redact=redact_addresses)
    return written, _render(snapshot_document(written, redacted=redact_addresses), texts)


def write_snapshot(state: LiveState, path: str | os.PathLike[str], *, redact_addresses: bool = True,
                   ) -> LiveState:
    """Write ``state`` to ``path`` atomically; returns the state as written (redacted or not)."""
    written, text = snapshot_text(state, redact_addresses=redact_addresses)
    write_atomically(Path(path), text, private=True)  # names, emails, who is on call when
    return written


def load_snapshot(path: str | os.PathLike[str]) -> LiveState:
    """The LiveState saved in ``path``; ``SnapshotError`` (exit 2) naming the file otherwise."""
    name = os.fspath(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SnapshotError(f"{name}: no such snapshot file") from None
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) else "not UTF-8 text"
        raise SnapshotError(f"{name}: cannot read the snapshot: {reason}") from None
    try:
        with collector_paused():  # an enterprise account is millions of acyclic objects
            document = json.loads(text)
    except json.JSONDecodeError as error:
        raise SnapshotError(f"{name}:{error.lineno}: not valid JSON: {error.msg}") from None
    with reading(name):
        return _state_from_document(document, name)


def _state_from_document(document: Any, name: str) -> LiveState:
    if not isinstance(document, dict) or document.get("format") != SNAPSHOT_FORMAT:
        raise SnapshotError(f"{name}: not a pdlint snapshot (no \"format\": \"{SNAPSHOT_FORMAT}\")")
    version = document.get("format_version")
    if version != SNAPSHOT_VERSION:
        raise SnapshotError(f"{name}: snapshot format version {version!r} is not supported; this "
                            f"pdlint reads version {SNAPSHOT_VERSION}")
    api_url = _field(document, "api_url", str, name)
    window = _field(document, "window", dict, name)
    objects = _field(document, "objects", dict, name)
    skipped = _field(document, "skipped", list, name)
    unknown = sorted(set(objects) - set(COLLECTIONS))
    if unknown:
        raise SnapshotError(f"{name}: unknown collections in objects: {', '.join(unknown)}")
    for kind, items in objects.items():
        if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
            raise SnapshotError(f"{name}: objects.{kind} is not a list of objects")
    if not all(isinstance(skip, dict) and isinstance(skip.get("collection"), str)
               and isinstance(skip.get("reason"), str) for skip in skipped):
        raise SnapshotError(f"{name}: skipped entries need a collection and a reason")
    skipped = [*skipped, *_not_yet_read(document, objects, skipped)]
    missing = [kind for kind in COLLECTIONS if kind not in objects
               and kind not in {skip["collection"] for skip in skipped}]
    if missing:
        raise SnapshotError(f"{name}: objects lacks {', '.join(missing)}, and skipped does not "
                            "say why: a snapshot holds every collection or the reason it could "
                            "not be read")
    try:
        return LiveState(
            api_url=api_url,
            fetched_at=_moment(document, "fetched_at", name),
            window=Window(_moment(window, "since", name, "window."),
                          _moment(window, "until", name, "window.")),
            objects={kind: tuple(items) for kind, items in objects.items()},
            skipped=tuple(Skipped(rule=skip["collection"], reason=skip["reason"])
                          for skip in skipped),
        )
    except ValueError as error:
        raise SnapshotError(f"{name}: {error}") from None


def _not_yet_read(document: Mapping[str, Any], objects: Mapping[str, Any],
                  skipped: list[dict[str, str]]) -> list[dict[str, str]]:
    """A collection pdlint began to read after this format's first snapshots (``LATER``) and the
    snapshot lacks: not read then, so skipped with that reason, not "none"."""
    said = {skip["collection"] for skip in skipped}
    written_by = document.get("pdlint_version")
    by = f"pdlint {written_by}" if isinstance(written_by, str) else "an earlier pdlint"
    return [{"collection": kind, "reason": f"not in this snapshot: {by} did not read {kind}"}
            for kind in LATER if kind not in objects and kind not in said]


def _field(document: Mapping[str, Any], key: str, kind: type, name: str, prefix: str = "") -> Any:
    value = document.get(key)
    if not isinstance(value, kind):
        raise SnapshotError(f"{name}: {prefix}{key} is missing or not a {kind.__name__}")
    return value


def _moment(document: Mapping[str, Any], key: str, name: str, prefix: str = "") -> datetime:
    text = _field(document, key, str, name, prefix)
    try:
        moment = parse_datetime(text)
    except ValueError:
        raise SnapshotError(f"{name}: {prefix}{key} {text!r} is not an ISO 8601 time") from None
    if moment.tzinfo is None:
        raise SnapshotError(f"{name}: {prefix}{key} {text!r} has no time zone")
    return moment
