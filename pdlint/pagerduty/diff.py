"""What changed between two snapshots: objects added, removed and changed field by field.

Objects are matched by collection and name, so two accounts (staging and production) can be
compared as well as two days of one account; an object whose name changed but whose id did not
is reported as changed (the name is one of its changed fields). Names shared by several objects
are told apart by id.

What is not compared, because it changes without anyone changing the configuration:
- the order of lists whose order PagerDuty does not give a meaning (teams, services, targets,
  contact methods, notification rules, integrations...); escalation rules, schedule layers and
  the users of a layer (its rotation order) keep their order;
- a service's incident-driven ``status`` (active, warning and critical read alike; disabled and
  maintenance do not) and ``last_incident_timestamp``;
- rendered schedule entries and coverage percentages, unless both snapshots were rendered over
  the same window;
- contact-method addresses, unless both snapshots hold them (neither was redacted).

A collection a snapshot could not read is not compared, and said so (``SnapshotDiff.skipped``):
never "no differences". A field one snapshot's object lacks was not returned by PagerDuty at
that reading: it is said so, never "added" or "removed".
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pdlint.findings import Skipped
from pdlint.pagerduty.snapshot import REDACTED, redact
from pdlint.pagerduty.state import COLLECTIONS, LiveState

DIFF_FORMAT_VERSION = 2
"""2: a collection not compared has null lists and its ``not_compared`` reason; a field one
side's object lacks is ``not_returned_in_old`` or ``not_returned_in_new``, no longer added or
removed."""

UNORDERED_LISTS = frozenset({
    "teams", "services", "escalation_policies", "integrations", "targets", "contact_methods",
    "notification_rules", "days_of_week", "scheduled_actions", "addons", "restrictions",
})
"""Lists compared as sets, wherever they are nested."""
UNORDERED_TOP_LEVEL_LISTS = frozenset({"users"})
"""Lists compared as sets only at the top of an object (a schedule's users, but not a layer's)."""
RENDERED_FIELDS = frozenset({
    "rendered_schedule_entries", "rendered_coverage_percentage", "computed_shift_assignments",
})
INCIDENT_DRIVEN_STATUS = {"warning": "active", "critical": "active"}


@dataclass(frozen=True)
class FieldChange:
    """One field of one object: ``kind`` is changed, added or removed (an item of a list),
    or not returned in the old or the new snapshot (a key the object lacks there)."""

    path: str
    kind: str
    old: Any = None
    new: Any = None

    def to_dict(self) -> dict[str, Any]:
        return {"path": self.path, "kind": self.kind, "old": self.old, "new": self.new}


@dataclass(frozen=True)
class ObjectChange:
    name: str
    id: str | None
    changes: tuple[FieldChange, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "id": self.id,
                "changes": [change.to_dict() for change in self.changes]}


@dataclass(frozen=True)
class CollectionDiff:
    kind: str
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[ObjectChange, ...] = ()
    not_compared: str | None = None
    """Why the collection was not compared (a snapshot could not read it): nothing is known of
    its changes."""

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def to_dict(self) -> dict[str, Any]:
        if self.not_compared is not None:
            return {"added": None, "removed": None, "changed": None,
                    "not_compared": self.not_compared}
        return {"added": list(self.added), "removed": list(self.removed),
                "changed": [change.to_dict() for change in self.changed]}


@dataclass(frozen=True)
class SnapshotDiff:
    """The differences, by collection in a fixed order, and what was deliberately not compared."""

    collections: tuple[CollectionDiff, ...]
    notes: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        """Whether nothing changed in what was compared (see ``skipped`` for what was not)."""
        return all(collection.empty for collection in self.collections)

    @property
    def skipped(self) -> tuple[Skipped, ...]:
        """The collections not compared, as skips: a diff of them is not known, never empty."""
        return tuple(Skipped(collection.kind, collection.not_compared)
                     for collection in self.collections if collection.not_compared is not None)

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": DIFF_FORMAT_VERSION,
            "collections": {collection.kind: collection.to_dict()
                            for collection in self.collections},
            "skipped": [skip.to_dict() for skip in self.skipped],
            "notes": list(self.notes),
        }


def diff_states(old: LiveState, new: LiveState) -> SnapshotDiff:
    """What changed from ``old`` to ``new`` (see the module docstring for what is ignored)."""
    notes: list[str] = []
    same_window = old.window == new.window
    if not same_window:
        notes.append("rendered schedule entries not compared: the snapshots were rendered over "
                     "different windows")
    if _has_redactions(old) or _has_redactions(new):
        notes.append("contact-method addresses not compared: a snapshot is redacted")
        old, new = redact(old), redact(new)
    collections = []
    for kind in COLLECTIONS:
        unread = [f"{label} ({reason})" for label, reason in
                  (("old", old.skip_reason(kind)), ("new", new.skip_reason(kind))) if reason]
        if unread:
            collections.append(CollectionDiff(kind, not_compared=f"not read in "
                                                                 f"{', '.join(unread)}"))
            continue
        collections.append(_diff_collection(kind, old.collection(kind), new.collection(kind),
                                            same_window))
    return SnapshotDiff(tuple(collections), tuple(notes))


def _has_redactions(state: LiveState) -> bool:
    return any(method.get("address") == REDACTED
               for user in state.users for method in user.get("contact_methods") or ()
               if isinstance(method, dict))


def _labelled(objects: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Objects by name; a name held by several objects is completed with each one's id."""
    objects = list(objects)
    names = [_name(obj) for obj in objects]
    return {(name if names.count(name) == 1 else f"{name} [{obj.get('id')}]"): obj
            for name, obj in zip(names, objects, strict=True)}


def _name(obj: Mapping[str, Any]) -> str:
    return str(obj.get("name") or obj.get("summary") or obj.get("id")
               or obj.get("service_id") or obj.get("event_orchestration_id") or "(unnamed)")


def _diff_collection(
    kind: str, old: Iterable[dict[str, Any]], new: Iterable[dict[str, Any]], same_window: bool,
) -> CollectionDiff:
    old_by_label, new_by_label = _labelled(old), _labelled(new)
    removed = {label: old_by_label[label] for label in old_by_label.keys() - new_by_label.keys()}
    added = {label: new_by_label[label] for label in new_by_label.keys() - old_by_label.keys()}
    pairs = [(label, old_by_label[label], new_by_label[label])
             for label in old_by_label.keys() & new_by_label.keys()]
    added_by_id = {obj.get("id"): label for label, obj in added.items() if obj.get("id")}
    for label, obj in list(removed.items()):
        renamed_to = added_by_id.get(obj.get("id"))
        if renamed_to is not None:
            pairs.append((f"{label} -> {renamed_to}", obj, added.pop(renamed_to)))
            del removed[label]
    changed = []
    for label, before, after in sorted(pairs, key=lambda pair: pair[0]):
        changes = _field_changes(_comparable(kind, before, same_window),
                                 _comparable(kind, after, same_window))
        if changes:
            changed.append(ObjectChange(label, after.get("id"), changes))
    return CollectionDiff(kind, tuple(sorted(added)), tuple(sorted(removed)), tuple(changed))


def _comparable(kind: str, obj: dict[str, Any], same_window: bool) -> dict[str, Any]:
    """``obj`` without the fields that change on their own (see the module docstring)."""
    if kind == "services":
        obj = {key: value for key, value in obj.items() if key != "last_incident_timestamp"}
        status = obj.get("status")
        if isinstance(status, str):
            obj["status"] = INCIDENT_DRIVEN_STATUS.get(status, status)
    if not same_window and kind in ("schedules", "schedules_v3"):
        obj = _without(obj, RENDERED_FIELDS)
    return obj


def _without(value: Any, keys: frozenset[str]) -> Any:
    if isinstance(value, list):
        return [_without(item, keys) for item in value]
    if isinstance(value, dict):
        return {key: _without(item, keys) for key, item in value.items() if key not in keys}
    return value


def _field_changes(old: dict[str, Any], new: dict[str, Any]) -> tuple[FieldChange, ...]:
    from deepdiff import DeepDiff
    from deepdiff.helper import NotPresent

    def order_is_free(level: Any) -> bool:
        path = level.path(output_format="list")
        return bool(path) and (path[-1] in UNORDERED_LISTS
                               or (len(path) == 1 and path[0] in UNORDERED_TOP_LEVEL_LISTS))

    tree = DeepDiff(old, new, ignore_order_func=order_is_free, view="tree", verbose_level=2)
    changes = []
    for report_type, levels in tree.items():
        keyed = report_type.startswith("dictionary_item_")  # a key, not an item of a list
        for level in levels:
            removed, added = isinstance(level.t2, NotPresent), isinstance(level.t1, NotPresent)
            kind = ("changed" if not (added or removed) else
                    ("not_returned_in_old" if added else "not_returned_in_new") if keyed else
                    "added" if added else "removed")
            changes.append(FieldChange(
                path=_format_path(level.path(output_format="list")),
                kind=kind,
                old=None if added else level.t1,
                new=None if removed else level.t2,
            ))
    return tuple(sorted(changes, key=lambda change: (change.path, change.kind)))


def _format_path(keys: list[Any]) -> str:
    text = ""
    for key in keys:
        text += f"[{key}]" if isinstance(key, int) else (f".{key}" if text else str(key))
    return text or "(whole object)"


def render_diff_text(diff: SnapshotDiff) -> str:
    """The diff for a person: one block per collection with changes, ``+``/``-``/``~`` lines."""
    lines: list[str] = []
    for collection in diff.collections:
        if collection.empty:
            continue
        lines.append(collection.kind.replace("_", " "))
        lines.extend(f"  + {name}" for name in collection.added)
        lines.extend(f"  - {name}" for name in collection.removed)
        for change in collection.changed:
            lines.append(f"  ~ {change.name}")
            lines.extend(f"      {field.path}: {_field_words(field)}" for field in change.changes)
    skipped = diff.skipped
    if not lines:
        lines.append("no differences in what was compared" if skipped else "no differences")
    lines.extend(f"{skip.rule.replace('_', ' ')}: not compared: {skip.reason}" for skip in skipped)
    lines.extend(f"note: {note}" for note in diff.notes)
    return "\n".join(lines) + "\n"


def _field_words(field: FieldChange) -> str:
    if field.kind == "added":
        return f"added {_show(field.new)}"
    if field.kind == "removed":
        return f"removed {_show(field.old)}"
    if field.kind == "not_returned_in_old":
        return f"not returned in the old snapshot, now {_show(field.new)}"
    if field.kind == "not_returned_in_new":
        return f"{_show(field.old)}, not returned in the new snapshot"
    return f"{_show(field.old)} -> {_show(field.new)}"


def render_diff_json(diff: SnapshotDiff) -> str:
    return json.dumps(diff.to_dict(), indent=2, sort_keys=False, ensure_ascii=False) + "\n"


def _show(value: Any) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)
