"""The official OpenAPI spec as the simulator's tests read it, with its known errors adapted.

This is the ONE place where the tests depart from the spec's letter. Each deviation says why;
``docs/pagerduty-api-notes.md`` lists the same ones for readers of the project.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jsonschema.exceptions import ValidationError
from openapi_schema_validator import OAS30Validator, oas30_format_checker
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

SPEC_PATH = Path(__file__).parent.parent / "fixtures" / "pagerduty-openapi" / "openapiv3.json"
SPEC_URI = "urn:pagerduty:openapiv3"

Spec = dict[str, Any]


def _schemas(spec: Spec) -> dict[str, Any]:
    return spec["components"]["schemas"]  # type: ignore[no-any-return]


def _properties(schema: dict[str, Any]) -> dict[str, Any]:
    """The properties of a schema, looking inside ``allOf`` parts that declare them."""
    for part in schema.get("allOf", ()):
        if "properties" in part:
            return part["properties"]  # type: ignore[no-any-return]
    return schema.setdefault("properties", {})  # type: ignore[no-any-return]


def _nullable(spec: Spec, schema: str, *fields: str) -> None:
    properties = _properties(_schemas(spec)[schema])
    for name in fields:
        properties[name] = {"anyOf": [properties[name], {"enum": [None]}]}


def _may_be_expanded(spec: Spec, schema: str, field: str, *alternatives: str) -> None:
    """``field`` may also be one of the named full schemas (``include[]`` expansions)."""
    properties = _properties(_schemas(spec)[schema])
    current = properties[field]
    refs = [{"$ref": f"#/components/schemas/{name}"} for name in alternatives]
    if current.get("type") == "array":
        current["items"] = {"anyOf": [current["items"], *refs]}
    else:
        properties[field] = {"anyOf": [current, *refs]}


def service_timeouts_and_support_hours_may_be_null(spec: Spec) -> None:
    """Service timeouts are documented as null when disabled; support_hours is null if unset."""
    _nullable(spec, "Service", "acknowledgement_timeout", "auto_resolve_timeout", "support_hours")


def permanent_oncalls_have_no_span(spec: Spec) -> None:
    """A permanent on-call (a user targeted directly) has null start, end and schedule."""
    _nullable(spec, "Oncall", "start", "end", "schedule")


def schedule_rendering_may_be_null(spec: Spec) -> None:
    """A layer that never ends has a null end; coverage is documented as null without a window."""
    _nullable(spec, "ScheduleLayer", "end", "rendered_coverage_percentage")
    _nullable(spec, "SubSchedule", "rendered_coverage_percentage")


def unresolved_incidents_have_nulls(spec: Spec) -> None:
    """resolved_at is documented as null while unresolved; priority, resolve_reason and
    alert_grouping are null when unset (the spec's own incident examples carry these nulls)."""
    _nullable(spec, "Incident", "resolved_at", "priority", "resolve_reason", "alert_grouping")


def analytics_of_open_incidents_have_nulls(spec: Spec) -> None:
    """An unacknowledged or unresolved incident has no ack or resolve time and no resolver;
    an incident resolved by a timeout has no resolving user."""
    _nullable(spec, "AnalyticsRawIncident", "resolved_at", "seconds_to_first_ack",
              "seconds_to_resolve", "seconds_to_engage", "seconds_to_mobilize",
              "resolved_by_user_id", "resolved_by_user_name")


def includes_expand_references(spec: Spec) -> None:
    """include[] returns full objects where the spec types the fields as references."""
    for schema, field, alternatives in (
        ("EscalationRule", "targets", ("User", "Schedule")),
        ("EscalationPolicy", "services", ("Service",)),
        ("EscalationPolicy", "teams", ("Team",)),
        ("Service", "escalation_policy", ("EscalationPolicy",)),
        ("Service", "teams", ("Team",)),
        ("Service", "integrations", ("Integration",)),
        ("User", "teams", ("Team",)),
        ("User", "contact_methods", CONTACT_METHODS),
        ("User", "notification_rules", ("NotificationRule",)),
        ("NotificationRule", "contact_method", CONTACT_METHODS),
        ("Oncall", "escalation_policy", ("EscalationPolicy",)),
        ("Oncall", "user", ("User",)),
        ("LogEntry", "service", ("Service",)),
        ("LogEntry", "incident", ("Incident",)),
        ("LogEntry", "teams", ("Team",)),
        ("MaintenanceWindow", "services", ("Service",)),
        ("MaintenanceWindow", "teams", ("Team",)),
        ("MaintenanceWindow", "created_by", ("User",)),
    ):
        _may_be_expanded(spec, schema, field, *alternatives)
    response = spec["paths"]["/teams/{id}/members"]["get"]["responses"]["200"]
    members = response["content"]["application/json"]["schema"]["allOf"][1]["properties"]
    user = members["members"]["items"]["properties"]["user"]
    members["members"]["items"]["properties"]["user"] = {
        "anyOf": [user, {"$ref": "#/components/schemas/User"}]}


def overlapping_one_of_becomes_any_of(spec: Spec) -> None:
    """Channel's five branches overlap (every real channel, e.g. {type: api}, matches several),
    a team reference also matches Team's loose schema in Incident.teams, and every service's
    alert_grouping_parameters ({type: intelligent}) matches both of its branches: oneOf rejects
    valid data there, anyOf does not."""
    channel = _schemas(spec)["Channel"]
    channel["anyOf"] = channel.pop("oneOf")
    teams = _properties(_schemas(spec)["Incident"])["teams"]["items"]
    teams["anyOf"] = teams.pop("oneOf")
    grouping = _properties(_schemas(spec)["Service"])["alert_grouping_parameters"]
    grouping["anyOf"] = grouping.pop("oneOf")


def acknowledge_log_entry_type(spec: Spec) -> None:
    """The AcknowledgeLogEntry subschema says acknowledgement_log_entry; LogEntry's own enum and
    the API say acknowledge_log_entry."""
    _schemas(spec)["AcknowledgeLogEntry"]["allOf"][1]["properties"]["type"]["enum"].append(
        "acknowledge_log_entry")


def overrides_get_answers_200(spec: Spec) -> None:
    """GET /schedules/{id}/overrides is documented with status 201; a GET answers 200."""
    responses = spec["paths"]["/schedules/{id}/overrides"]["get"]["responses"]
    responses["200"] = responses["201"]


def grouping_aggregate_is_all_or_any(spec: Spec) -> None:
    """The content-based grouping configurations give ``aggregate`` the one value "all, any"
    (a typo for two); the descriptions and the spec's own examples say ``all`` or ``any``."""
    for name in ("ContentBasedAlertGroupingConfiguration",
                 "ContentBasedIntelligentAlertGroupingConfiguration"):
        _schemas(spec)[name]["properties"]["aggregate"]["enum"] = ["all", "any"]


CONTACT_METHODS = ("PhoneContactMethod", "EmailContactMethod", "PushContactMethod")

# Each a departure from the spec's letter towards PagerDuty's documented behaviour; the
# docstrings are the reasons, repeated in docs/pagerduty-api-notes.md.
DEVIATIONS: list[Callable[[Spec], None]] = [
    service_timeouts_and_support_hours_may_be_null,
    permanent_oncalls_have_no_span,
    schedule_rendering_may_be_null,
    unresolved_incidents_have_nulls,
    analytics_of_open_incidents_have_nulls,
    includes_expand_references,
    overlapping_one_of_becomes_any_of,
    acknowledge_log_entry_type,
    overrides_get_answers_200,
    grouping_aggregate_is_all_or_any,
]


def load_spec() -> Spec:
    with SPEC_PATH.open(encoding="utf-8") as file:
        spec: Spec = json.load(file)
    adapted = copy.deepcopy(spec)
    for adapt in DEVIATIONS:
        adapt(adapted)
    return adapted


class SpecValidator:
    """Validates a response body against the schema the spec gives for an operation."""

    def __init__(self, spec: Spec) -> None:
        self.spec = spec
        self.registry: Registry = Registry().with_resource(
            SPEC_URI, Resource.from_contents(spec, default_specification=DRAFT4))
        self._validators: dict[tuple[str, str, int], OAS30Validator] = {}

    def _resolve(self, node: dict[str, Any], pointer: str) -> tuple[dict[str, Any], str]:
        while "$ref" in node:
            pointer = node["$ref"]
            node = self.spec
            for part in pointer.removeprefix("#/").split("/"):
                node = node[part.replace("~1", "/").replace("~0", "~")]
        return node, pointer

    def validator(self, method: str, path: str, status: int) -> OAS30Validator:
        key = (method, path, status)
        if key not in self._validators:
            operation = self.spec["paths"][path][method.lower()]
            escaped = path.replace("~", "~0").replace("/", "~1")
            response, pointer = self._resolve(
                operation["responses"][str(status)],
                f"#/paths/{escaped}/{method.lower()}/responses/{status}")
            schema_pointer = f"{pointer}/content/application~1json/schema"
            if "content" not in response:
                raise KeyError(f"{method} {path} {status} documents no JSON body")
            self._validators[key] = OAS30Validator(
                {"$ref": f"{SPEC_URI}{schema_pointer}"}, registry=self.registry,
                format_checker=oas30_format_checker)
        return self._validators[key]

    def errors(self, method: str, path: str, status: int, body: Any) -> list[str]:
        """Every way ``body`` breaks the schema, as ``json/path: message`` lines."""
        found: list[ValidationError] = sorted(
            self.validator(method, path, status).iter_errors(body), key=lambda error: error.path)
        return [f"{'/'.join(map(str, error.absolute_path))}: {error.message[:300]}"
                for error in found]
