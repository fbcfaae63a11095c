"""Every endpoint pdlint reads × every way the API can misbehave, against the simulator.

Each cell ends in exactly the fault-free result, or in an error that names the endpoint (exit 2),
or, for a 403, in a report that says which endpoint it could not read — never in less data
presented as complete, never in an unbounded loop. The faults the issue names run in CI; their
other forms are marked slow (``pytest -m "slow or not slow" tests/adversarial`` runs them all).
"""

from __future__ import annotations

import asyncio
import enum
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import pytest
from adversarial_cases import (
    NOW,
    PERIOD,
    POLICY,
    SLOW_MS,
    TALLY,
    TOKEN,
    WINDOW,
    Ran,
    hostile_account,
    hostile_config,
    run_main,
    sim_env,
    time_limit,
)

from pdlint.evidence import Evidence, EvidenceRequest, write_evidence
from pdlint.pagerduty.client import PagerDutyClient
from pdlint.pagerduty.errors import PagerDutyError
from pdlint.pagerduty.fetch import FOLLOW_UPS, fetch_state
from pdlint.pagerduty.model import parse_account
from pdlint.pagerduty.state import LiveState
from pdlint.policy import load_policy
from pdlint.rules.engine import drift
from pdlint.rules.scope import ScopeError
from pdlint.sim import Fault, Faults, SimServer

CELL_TIME_LIMIT = 30.0
SAME, ERRORED, SKIPPED = ("the fault-free result", "exit 2 naming the endpoint",
                          "the endpoint reported as not read")
"""Far above any cell's run time: reaching it means a loop that does not end."""


class Expect(enum.Enum):
    SAME = "the fault-free result, exactly: retries absorb the fault"
    ERROR = "an error naming the endpoint"
    SAME_OR_ERROR = "the fault-free result, or an error naming the endpoint"
    SKIPPED = "the endpoint reported as not read, everything else as without the fault"


@dataclass(frozen=True)
class FaultCase:
    """One column of the matrix: the faults to install on an endpoint, and what must follow.

    ``bites_at`` is the number of the request to the endpoint that the fault hits first: a cell
    whose run never got that far tested nothing, and fails. ``paged`` cells are served two
    objects a page, so that every listing has a second page for the fault to hit.
    """

    faults: Callable[[str], tuple[Fault, ...]]
    expect: Expect
    bites_at: int = 1
    paged: bool = False
    forbidden: bool = False
    slow: bool = False

    def installed(self, path: str, *, forbidden: Mapping[str, int] = MappingProxyType({}),
                  ) -> Faults:
        refused = {**forbidden, **({path: 403} if self.forbidden else {})}
        return Faults(scripted=self.faults(path), forbidden=refused,
                      max_page_size=2 if self.paged else None)


FAULTS: dict[str, FaultCase] = {
    # The faults of the issue, one form each: the fast subset that CI runs.
    "429 storm": FaultCase(lambda p: (Fault("status", p, status=429),), Expect.ERROR),
    "5xx burst": FaultCase(lambda p: (Fault.first(2, "status", p, status=503),), Expect.SAME),
    "slow once": FaultCase(lambda p: (Fault.first(1, "slow", p, delay_ms=SLOW_MS),),
                           Expect.SAME),
    "dropped connections": FaultCase(lambda p: (Fault.first(2, "drop_connection", p),),
                                     Expect.SAME),
    "truncated JSON once": FaultCase(lambda p: (Fault.first(1, "truncated_json", p),),
                                     Expect.SAME),
    "HTML page with 200 once": FaultCase(lambda p: (Fault.first(1, "html_error_200", p),),
                                         Expect.SAME),
    "more: true, empty page": FaultCase(
        lambda p: (Fault("more_true_empty_page", p, requests={2}),), Expect.ERROR,
        bites_at=2, paged=True),
    "page repeats the previous": FaultCase(
        lambda p: (Fault("repeat_previous_page", p, requests={2}),), Expect.ERROR,
        bites_at=2, paged=True),
    "object vanishes between pages": FaultCase(
        lambda p: (Fault("vanish_between_pages", p, requests={2}),), Expect.SAME_OR_ERROR,
        bites_at=2, paged=True),
    "403 on this endpoint": FaultCase(lambda p: (), Expect.SKIPPED, forbidden=True),
    # Their other forms (passing, or lasting past the retries): the full run only.
    "429 burst": FaultCase(lambda p: (Fault.first(2, "status", p, status=429),), Expect.SAME,
                           slow=True),
    "5xx storm": FaultCase(lambda p: (Fault("status", p, status=502),), Expect.ERROR,
                           slow=True),
    "slow always": FaultCase(lambda p: (Fault("slow", p, delay_ms=SLOW_MS),), Expect.ERROR,
                             slow=True),
    "connection always dropped": FaultCase(lambda p: (Fault("drop_connection", p),),
                                           Expect.ERROR, slow=True),
    "truncated JSON always": FaultCase(lambda p: (Fault("truncated_json", p),), Expect.ERROR,
                                       slow=True),
    "malformed JSON once": FaultCase(lambda p: (Fault.first(1, "malformed_json", p),),
                                     Expect.SAME, slow=True),
    "HTML page with 200 always": FaultCase(lambda p: (Fault("html_error_200", p),),
                                           Expect.ERROR, slow=True),
}


def cells(endpoints: Mapping[str, bool]) -> list[Any]:
    """(endpoint, fault) pairs, by whether the endpoint pages; the slow faults marked slow."""
    return [pytest.param(endpoint, fault, id=f"{endpoint}-{fault}",
                         marks=[pytest.mark.slow] if case.slow else [])
            for endpoint, paged in endpoints.items() for fault, case in FAULTS.items()
            if paged or not case.paged]


FETCHED = {  # collection: the endpoint that lists it
    "escalation_policies": "/escalation_policies",
    "schedules": "/schedules",
    "schedules_v3": "/v3/schedules",
    "services": "/services",
    "users": "/users",
    "teams": "/teams",
    "priorities": "/priorities",
}


@pytest.fixture(scope="module")
def server() -> Iterator[SimServer]:
    with SimServer(hostile_account(), token=TOKEN) as served:
        yield served


def requests_to(server: SimServer, path: str) -> int:
    return sum(1 for record in server.requests
               if record.path == path or record.path.startswith(path + "/"))


def run_cell(server: SimServer, faults: Faults, action: Callable[[], Any]) -> Any:
    """``action`` with ``faults`` installed; its result, or the ``PagerDutyError`` it raised.
    The server settles first and last: a request a cancelled read left unanswered would count
    against the next cell's faults. Every connection the previous cell opened is closed by then:
    a cancelled read leaves none open (one left would hold up every cell after it)."""
    assert server.settle(), "a connection an earlier cell opened is still open"
    server.faults = faults
    server.clear_requests()
    try:
        with time_limit(CELL_TIME_LIMIT):
            return action()
    except PagerDutyError as error:
        return error
    finally:
        server.settle()
        server.faults = Faults()
        TALLY["fault cells run"] += 1
        TALLY["requests served under faults"] += len(server.requests)


def tally(outcome: str) -> None:
    TALLY[f"fault cells ending in {outcome}"] += 1


def assert_names_endpoint(outcome: object, path: str) -> None:
    assert isinstance(outcome, PagerDutyError), f"expected an error naming {path}, got {outcome!r}"
    assert outcome.path == path or outcome.path.startswith(path + "/"), str(outcome)
    assert str(outcome).startswith(f"{outcome.method} {outcome.path}: "), str(outcome)
    assert outcome.exit_code == 2


def failed(case: FaultCase, outcome: object) -> bool:
    return case.expect is Expect.ERROR or (case.expect is Expect.SAME_OR_ERROR
                                           and isinstance(outcome, PagerDutyError))


# -- the drift check's reads (fetch_state) ------------------------------------------------------


def fetch(server: SimServer) -> LiveState:
    async def read() -> LiveState:
        async with PagerDutyClient(hostile_config(server)) as client:
            return await fetch_state(client, WINDOW)

    return asyncio.run(read())


def drift_report(state: LiveState) -> dict[str, Any]:
    policy = load_policy([POLICY]).policy
    assert policy is not None
    return drift(policy, parse_account(state), NOW.date()).to_dict()


def identities(report: dict[str, Any]) -> list[tuple[str, str, str | None, str | None]]:
    """What each finding is about (its wording may lose detail a skipped collection held)."""
    return [(finding["rule"], finding["resource"]["type"], finding["resource"]["id"],
             finding["resource"]["name"]) for finding in report["findings"]]


@pytest.fixture(scope="module")
def fetched_baseline(server: SimServer) -> tuple[LiveState, dict[str, Any]]:
    state = fetch(server)
    assert all(len(state.objects[kind]) >= 3 for kind in FETCHED), "a second page at two a page"
    return state, drift_report(state)


@pytest.mark.parametrize(("collection", "fault"), cells(dict.fromkeys(FETCHED, True)))
def test_drift_reads_survive_or_name_the_endpoint(
    server: SimServer, fetched_baseline: tuple[LiveState, dict[str, Any]], collection: str,
    fault: str,
) -> None:
    case, path = FAULTS[fault], FETCHED[collection]
    baseline, baseline_report = fetched_baseline
    outcome = run_cell(server, case.installed(path), lambda: fetch(server))
    assert requests_to(server, path) >= case.bites_at, "the fault never hit"
    if failed(case, outcome):
        assert_names_endpoint(outcome, path)
        tally(ERRORED)
        return
    assert isinstance(outcome, LiveState), outcome
    if collection == "teams" and case.expect is Expect.SKIPPED:
        # The example policy's scope cannot be told without the teams: the check ends with an
        # error naming the endpoint rather than check an empty scope.
        with pytest.raises(ScopeError, match=f"GET {path}: the token may not read this"):
            drift_report(outcome)
        tally(ERRORED)
        return
    report = drift_report(outcome)
    if case.expect is Expect.SKIPPED:
        unread = [collection, *(follow_up.kind for follow_up in FOLLOW_UPS.get(collection, ()))]
        assert [skip.rule for skip in outcome.skipped] == unread
        assert all(skip.reason.startswith(f"GET {path}: the token may not read this (HTTP 403")
                   for skip in outcome.skipped)
        assert {kind: items for kind, items in outcome.objects.items() if kind not in unread} \
            == {kind: items for kind, items in baseline.objects.items() if kind not in unread}
        assert sorted(skip["rule"] for skip in report["skipped"]) == sorted(unread)
        assert set(identities(report)) <= set(identities(baseline_report))
        tally(SKIPPED)
    else:
        assert (outcome.objects, outcome.skipped) == (baseline.objects, baseline.skipped)
        assert report == baseline_report
        tally(SAME)


# -- the evidence package's reads ---------------------------------------------------------------

ANALYTICS = "/analytics/raw/incidents"
NOTES = "/incidents/{id}/notes"
EVIDENCE_READS = {  # endpoint: whether it pages
    ANALYTICS: True,
    "/incidents": True,
    "/log_entries": True,
    NOTES: False,
    "/audit/records": True,
}
REFUSED_ANALYTICS = MappingProxyType({ANALYTICS: 403})
"""Analytics refused: the register is read from /incidents joined with /log_entries."""


def package_files(folder: Path) -> dict[str, bytes]:
    return {path.relative_to(folder).as_posix(): path.read_bytes()
            for path in sorted(folder.rglob("*")) if path.is_file()}


def gather(server: SimServer, output: Path) -> Evidence:
    since, until = PERIOD
    return write_evidence(EvidenceRequest(
        policy_paths=(str(POLICY),), since=since, until=until, output=output,
        client_config=hostile_config(server), now=NOW))


@dataclass(frozen=True)
class EvidenceBaseline:
    files: dict[str, bytes]
    notes_path: str
    """The notes of the first incident whose postmortem the package looks for."""


@pytest.fixture(scope="module")
def evidence_baselines(server: SimServer, tmp_path_factory: pytest.TempPathFactory,
                       ) -> dict[bool, EvidenceBaseline]:
    """The fault-free packages, by whether analytics may be read."""
    baselines = {}
    for analytics in (True, False):
        output = tmp_path_factory.mktemp("baseline") / "package"
        server.faults = Faults(forbidden={} if analytics else REFUSED_ANALYTICS)
        server.clear_requests()
        evidence = gather(server, output)
        assert evidence.incidents and evidence.changes and not evidence.skipped
        notes = next(record.path for record in server.requests if record.path.endswith("/notes"))
        baselines[analytics] = EvidenceBaseline(package_files(output), notes)
    server.faults = Faults()
    return baselines


@pytest.mark.parametrize(("endpoint", "fault"), cells(EVIDENCE_READS))
def test_evidence_reads_survive_or_name_the_endpoint(
    server: SimServer, evidence_baselines: dict[bool, EvidenceBaseline], tmp_path: Path,
    endpoint: str, fault: str,
) -> None:
    case = FAULTS[fault]
    analytics = endpoint not in ("/incidents", "/log_entries")
    baseline = evidence_baselines[analytics]
    path = baseline.notes_path if endpoint == NOTES else endpoint
    faults = case.installed(path, forbidden={} if analytics else REFUSED_ANALYTICS)
    output = tmp_path / "package"
    outcome = run_cell(server, faults, lambda: gather(server, output))
    assert requests_to(server, path) >= case.bites_at, "the fault never hit"
    if failed(case, outcome):
        assert_names_endpoint(outcome, path)
        assert list(tmp_path.iterdir()) == [], "a failed run leaves nothing behind"
        tally(ERRORED)
    elif case.expect is Expect.SKIPPED and path == ANALYTICS:
        assert isinstance(outcome, Evidence), outcome
        assert package_files(output) == evidence_baselines[False].files
        tally(SAME)
    elif case.expect is Expect.SKIPPED:
        assert isinstance(outcome, Evidence), outcome
        assert outcome.skipped and all(path in skip.reason for skip in outcome.skipped)
        assert b'"complete": false' in (output / "manifest.json").read_bytes()
        tally(SKIPPED)
    else:
        assert isinstance(outcome, Evidence), outcome
        assert package_files(output) == baseline.files
        tally(SAME)


# -- the same, as `pdlint drift --format json` reports it -----------------------------------

DRIFT_ARGS = ("drift", "--policy", str(POLICY), "--format", "json", "--since",
              "2026-03-02T12:00:00Z", "--until", "2026-03-16T12:00:00Z")
COMMAND_FAULTS = ("page repeats the previous", "403 on this endpoint")
"""Faults the command meets without waiting: its own client retries at PagerDuty's pace."""


@pytest.fixture(scope="module")
def command_baseline(server: SimServer) -> Ran:
    ran = run_main(*DRIFT_ARGS, env=sim_env(server))
    assert ran.code == 1 and ran.stderr == "", ran.stderr
    return ran


@pytest.mark.parametrize("fault", COMMAND_FAULTS)
@pytest.mark.parametrize("collection", FETCHED)
def test_the_drift_command_reports_the_endpoint_or_the_same_drift(
    server: SimServer, command_baseline: Ran, collection: str, fault: str,
) -> None:
    case, path = FAULTS[fault], FETCHED[collection]
    ran = run_cell(server, case.installed(path), lambda: run_main(*DRIFT_ARGS,
                                                                 env=sim_env(server)))
    assert requests_to(server, path) >= case.bites_at, "the fault never hit"
    if case.expect is Expect.ERROR:
        assert (ran.code, ran.stdout) == (2, "")
        assert ran.stderr.startswith(f"pdlint: error: GET {path}: "), ran.stderr
        assert "Traceback" not in ran.stderr
        tally(ERRORED)
        return
    if collection == "teams" and case.expect is Expect.SKIPPED:  # the scope's teams, unread
        assert (ran.code, ran.stdout) == (2, "")
        assert ("the scope names teams, but PagerDuty's team list could not be read "
                f"(GET {path}: the token may not read this") in ran.stderr, ran.stderr
        tally(ERRORED)
        return
    report, baseline = json.loads(ran.stdout), json.loads(command_baseline.stdout)
    unread = sorted([collection, *(follow_up.kind
                                   for follow_up in FOLLOW_UPS.get(collection, ()))])
    assert ran.code == 2  # skipped is never passed: not even the baseline's 1 for findings
    assert ran.stderr.startswith(f"pdlint: error: incomplete: {', '.join(unread)} could not be "
                                 "read")
    assert [skip["rule"] for skip in report["skipped"]] == unread
    assert all(f"GET {path}: the token may not read this" in skip["reason"]
               for skip in report["skipped"])
    assert report["summary"]["skipped"] == len(unread)
    assert set(identities(report)) <= set(identities(baseline))
    tally(SKIPPED)
