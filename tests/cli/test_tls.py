"""pdlint over HTTPS, as every real run reaches PagerDuty: the simulator serving TLS with a
certificate for 127.0.0.1 signed by a test authority (tests/fixtures/tls, valid to 2126), the
authority trusted through ``SSL_CERT_FILE`` as a user behind their own authority would."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from cli_cases import TLS, TOKEN, WINDOW, snapshot_objects
from pdlint_process import run_pdlint

from pdlint.sim import SimServer


def test_a_snapshot_over_https_holds_what_one_over_http_holds(
        https_server: SimServer, server: SimServer, tmp_path: Path) -> None:
    assert https_server.base_url.startswith("https://127.0.0.1:")
    read: dict[str, dict[str, Any]] = {}
    for name, running, extra in (("https", https_server, {"SSL_CERT_FILE": str(TLS / "ca.pem")}),
                                 ("http", server, {})):
        snapshot = tmp_path / f"{name}.json"
        result = run_pdlint("snapshot", "-o", str(snapshot), "--quiet", *WINDOW, env={
            "PAGERDUTY_API_URL": running.base_url, "PAGERDUTY_API_TOKEN": TOKEN, **extra})
        assert result.returncode == 0, result.stderr
        read[name] = snapshot_objects(snapshot, running.base_url)
    assert read["https"] == read["http"]
    assert https_server.requests and all(each.status == 200 for each in https_server.requests)


def test_a_certificate_the_machine_does_not_trust_ends_the_run_in_one_line(
        https_server: SimServer, tmp_path: Path) -> None:
    snapshot = tmp_path / "snap.json"
    result = run_pdlint("snapshot", "-o", str(snapshot), "--quiet", *WINDOW, env={
        "PAGERDUTY_API_URL": https_server.base_url, "PAGERDUTY_API_TOKEN": TOKEN})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and re.fullmatch(  # the first of the reads in flight to fail
        rf"pdlint: error: GET /[a-z_]+: TLS with {re.escape(https_server.base_url)} failed "
        r"\(unable to get local issuer certificate\)", lines[0]), result.stderr
    assert "Traceback" not in result.stderr
    assert not list(tmp_path.iterdir())
