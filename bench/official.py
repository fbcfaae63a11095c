"""The configuration pdlint reads, fetched by a plain script with PagerDuty's official client.

Runs in its own virtual environment (``pip install pagerduty``), never imports pdlint, and uses
the client as its documentation shows: ``RestApiV2Client(api_key, base_url=...)``, ``iter_all``
for every index endpoint (``iter_cursor`` and ``iter_alert_grouping_settings`` for those paged by
cursor) and ``rget`` or ``jget`` for single resources. It reads what ``pdlint snapshot`` reads: the
collections, the shift-based schedules each read whole, the maintenance windows under way and to
come, the incident workflows and their triggers, the Alert Grouping Settings, every global
event orchestration's router, and the event orchestration of every service not disabled (with its
``/active`` where a rule or a catch-all acts). Two ways to ask for the users and schedules:

* ``include``: the request plan pdlint uses, as far as the client allows it; ``include[]`` for
  users' contact methods and notification rules and for rendered schedule layers.
* ``per-object``: the plan the API reference suggests resource by resource; each user's contact
  methods and notification rules, and each schedule rendered over the window, by its own request.

Prints a JSON object with the number of objects read per collection. The token comes from
``PAGERDUTY_API_TOKEN``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

import pagerduty


def fetch(client: Any, since: str, until: str, style: str) -> dict[str, list[dict[str, Any]]]:
    window = {"since": since, "until": until, "time_zone": "UTC"}
    if style == "include":
        schedules = list(client.iter_all("schedules", params={
            "include[]": ["schedule_layers", "final_schedule"], **window}))
        users = list(client.iter_all("users", params={
            "include[]": ["contact_methods", "notification_rules"]}))
    else:
        schedules = [client.rget(f"schedules/{schedule['id']}", params=window)
                     for schedule in client.iter_all("schedules")]
        users = []
        for user in client.iter_all("users"):
            user["contact_methods"] = client.rget(f"users/{user['id']}/contact_methods")
            user["notification_rules"] = client.rget(f"users/{user['id']}/notification_rules",
                                                     params={"urgency": "all"})
            users.append(user)
    services = list(client.iter_all("services", params={
        "include[]": ["auto_pause_notifications_parameters", "integrations"]}))
    orchestrations = list(client.iter_all("event_orchestrations"))
    return {
        "escalation_policies": list(client.iter_all("escalation_policies", params={
            "include[]": ["escalation_rule_assignment_strategies"]})),
        "schedules": schedules,
        "schedules_v3": [client.rget(f"v3/schedules/{schedule['id']}", params={
            "include[]": ["final_schedule"], **window})
            for schedule in client.iter_all("v3/schedules", page_size=1000)],
        "services": services,
        "users": users,
        "teams": list(client.iter_all("teams")),
        "priorities": list(client.iter_all("priorities")),
        "maintenance_windows": [maintenance for state in ("ongoing", "future")
                                for maintenance in client.iter_all("maintenance_windows",
                                                                   params={"filter": state})],
        "incident_workflows": list(client.iter_all("incident_workflows",
                                                   params={"include[]": ["steps"]})),
        # iter_cursor: iter_all is a generator, so its hand-over to it for a cursor-paged path
        # returns nothing without sending a request.
        "workflow_triggers": list(client.iter_cursor("incident_workflows/triggers")),
        "alert_grouping_settings": list(client.iter_alert_grouping_settings()),
        "event_orchestrations": orchestrations,
        "orchestration_routers": [client.rget(f"event_orchestrations/{orchestration['id']}/router")
                                  for orchestration in orchestrations],
        "service_orchestrations": [service_orchestration(client, service["id"])
                                   for service in services if service["status"] != "disabled"],
    }


def service_orchestration(client: Any, service_id: str) -> dict[str, Any]:
    """A service's orchestration path, and whether it is active where that matters (a rule or a
    catch-all action), as pdlint reads it."""
    path = f"event_orchestrations/services/{service_id}"
    # jget: the client's wrapper for this path names ``{id}`` where its path list has
    # ``{service_id}``, so ``rget`` looks for a ``service`` key the answer does not have.
    orchestration: dict[str, Any] = client.jget(path)["orchestration_path"]
    actions = (orchestration.get("catch_all") or {}).get("actions")
    if actions or any(rule_set.get("rules") for rule_set in orchestration.get("sets") or ()):
        orchestration["active"] = client.jget(f"{path}/active")["active"]
    return orchestration


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--api-url", required=True)
    parser.add_argument("--since", required=True)
    parser.add_argument("--until", required=True)
    parser.add_argument("--style", choices=("include", "per-object"), default="include")
    arguments = parser.parse_args()
    client = pagerduty.RestApiV2Client(os.environ["PAGERDUTY_API_TOKEN"])
    # The client accepts only https base URLs; the simulator serves plain HTTP on loopback (to
    # pdlint as well), so the URL is set past that check.
    client._url = arguments.api_url
    objects = fetch(client, arguments.since, arguments.until, arguments.style)
    json.dump({kind: len(items) for kind, items in objects.items()}, sys.stdout)


if __name__ == "__main__":
    main()
