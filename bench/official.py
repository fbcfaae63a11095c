"""The configuration pdlint reads, fetched by a plain script with PagerDuty's official client.

Runs in its own virtual environment (``pip install pagerduty``), never imports pdlint, and uses
the client as its documentation shows: ``RestApiV2Client(api_key, base_url=...)``, ``iter_all``
for every index endpoint and ``rget`` for single resources. Two ways to ask for the same data:

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
    return {
        "escalation_policies": list(client.iter_all("escalation_policies")),
        "schedules": schedules,
        "schedules_v3": list(client.iter_all("v3/schedules")),
        "services": list(client.iter_all("services")),
        "users": users,
        "teams": list(client.iter_all("teams")),
        "priorities": list(client.iter_all("priorities")),
    }


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
