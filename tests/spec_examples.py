"""A server that answers each GET pdlint sends with the example payload of the official OpenAPI
spec for that operation, over real HTTP: PagerDuty's own examples as an account.

Each listing's example is served as the whole listing (one page). The examples were written one
operation at a time, so they do not agree with each other: an
escalation policy targets users and schedules the user and schedule examples do not list, as a
restricted-access or team-scoped key sees them. A path the spec has no example for answers 404.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

SPEC_PATH = Path(__file__).parent / "fixtures" / "pagerduty-openapi" / "openapiv3.json"
CHOSEN = {"/schedules": "With Schedule Layers"}
"""The example served where the spec has several."""


def spec_examples() -> list[tuple[re.Pattern[str], dict[str, Any]]]:
    """(path pattern, example answer) of every GET with a success example, literal paths
    first (``/incident_workflows/triggers`` before ``/incident_workflows/{id}``)."""
    spec = json.loads(SPEC_PATH.read_text(encoding="utf-8"))
    found: list[tuple[int, re.Pattern[str], dict[str, Any]]] = []
    for path, operations in spec["paths"].items():
        answers = operations.get("get", {}).get("responses", {})
        success = next((answer for code, answer in answers.items() if code.startswith("2")),
                       None)
        if success is None:
            continue
        if "$ref" in success:
            success = spec["components"]["responses"][success["$ref"].rsplit("/", 1)[-1]]
        examples = success.get("content", {}).get("application/json", {}).get("examples")
        if not examples:
            continue
        example = examples.get(CHOSEN.get(path, ""), next(iter(examples.values())))
        if "value" not in example:  # an example kept elsewhere (externalValue, $ref)
            continue
        pattern = re.compile(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)))
        found.append((path.count("{"), pattern, example["value"]))
    return [(pattern, value) for _, pattern, value in sorted(found, key=lambda item: item[0])]


def one_page(example: dict[str, Any]) -> dict[str, Any]:
    """A listing's example as the whole listing: its one page, the last (an example that
    says ``more``, or gives the ``after`` cursor, cannot serve the page after it)."""
    paged = dict(example)
    paged.pop("after", None)
    if "more" in paged:
        paged["more"] = False
    if "next_cursor" in paged:
        paged["next_cursor"] = None
    if "offset" in paged:
        paged["offset"] = 0
    return paged


@contextmanager
def example_server() -> Iterator[str]:
    """The base URL of a server answering with the spec's examples, for the length of the
    block."""
    examples = spec_examples()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = urlsplit(self.path).path
            body = next((one_page(value) for pattern, value in examples
                         if pattern.fullmatch(path)), None)
            status = 200 if body is not None else 404
            payload = json.dumps(body if body is not None else {
                "error": {"message": "Not Found", "code": 2100}}).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the tests read the answers, not a log."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
