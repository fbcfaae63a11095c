"""Benchmarks of pdlint against the simulated PagerDuty API: ``python bench/run.py``.

The simulator serves the demo account and a generated enterprise account (5,000 services, 2,000
escalation policies, 1,000 schedules, 10,000 users, 100,000 incidents over a year) on loopback,
every answer delayed by ``--latency-ms`` and PagerDuty's rate limit enforced as it is: 960
requests a minute per token, scale factor 1 (pdlint paces itself at 900 a minute whatever the
server allows, so a raised limit would only measure the simulator). Each measured command runs
as its own process, as a user runs it. What is measured, and the targets, are in
docs/benchmarks.md; ``--update-docs`` writes the results table there. ``--quick`` is a smoke
run on tiny accounts without latency.
"""

from __future__ import annotations

import argparse
import compileall
import gc
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import httpx

from pdlint import __version__
from pdlint.history.folder import RECORD_SUFFIX
from pdlint.history.record import add_run
from pdlint.pagerduty.settings import ClientConfig
from pdlint.report.indented_json import indented_json
from pdlint.sim import (
    PAGERDUTY_RATE_LIMIT,
    Account,
    Faults,
    RequestRecord,
    SimServer,
    demo_account,
    generated_account,
)

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
if __name__ == "__main__":  # run as a script: make the bench's modules importable
    sys.path.insert(0, str(ROOT))

from bench import accounts, venvs  # noqa: E402
from bench.measure import Launcher, Run  # noqa: E402
from bench.policy import postmortem_priorities, write_policy  # noqa: E402

TOKEN = "bench-token"
DOCS = ROOT / "docs" / "benchmarks.md"
TABLE_START, TABLE_END = "<!-- results:start -->", "<!-- results:end -->"
SCHEDULE_WINDOW = timedelta(days=30)
EVIDENCE_PERIOD = timedelta(days=365)
QUICK_EVIDENCE_PERIOD = timedelta(days=30)
NOTES_PERIOD = timedelta(days=14)
AUDIT_MARGIN = timedelta(hours=1)
SHARED_KEY_PERIOD = timedelta(days=7)
BUDGET_PER_MINUTE = ClientConfig.requests_per_minute
"""What pdlint lets leave at once, in any 60 s, before PagerDuty's 16 a second bind."""

# Issue 18's targets
SNAPSHOT_WALL_LIMIT = 4.0
DRIFT_WALL_LIMIT = 5.0
EVIDENCE_CPU_LIMIT = 10.0
POLICY_LOAD_CPU_LIMIT = 1.0
LINT_WALL_LIMIT = 0.15
POLICY_LOAD_REPEATS = 3
LINT_REPEATS = 9

ENTERPRISE_SIZES = {"services": 5000, "escalation_policies": 2000, "schedules": 1000,
                    "users": 10000, "teams": 50}
TINY_SIZES = {"services": 40, "escalation_policies": 12, "schedules": 8, "users": 60, "teams": 4}


@dataclass(frozen=True)
class Settings:
    quick: bool
    latency_ms: int
    skip_venvs: bool
    only: frozenset[str]
    output: Path
    repeats: int = 1
    """Measured runs of each command against the simulator; the row shows their median."""


@dataclass
class Row:
    """One measured line of the results table; ratios are filled in where they apply."""

    id: str
    title: str
    account: str
    command: str
    exit_code: int | None = None
    requests: int | None = None
    minimum: int | None = None
    wall_seconds: float | None = None
    floor_seconds: float | None = None
    cpu_seconds: float | None = None
    peak_rss_mib: float | None = None
    rate_limited: int = 0
    figures: dict[str, Any] = field(default_factory=dict)
    target: str = ""
    met: bool | None = None
    group: str = ""
    """The row group that produces it: ``python bench/run.py --only GROUP`` reproduces it."""

    @property
    def request_ratio(self) -> float | None:
        return None if not self.minimum or self.requests is None else self.requests / self.minimum

    @property
    def wall_ratio(self) -> float | None:
        if not self.floor_seconds or self.wall_seconds is None:
            return None
        return self.wall_seconds / self.floor_seconds


@dataclass(frozen=True)
class Served:
    """What the simulator saw of a measured run: its requests, the 429s among them, and the CPU
    its answers take to decode (``decoding_seconds()``), the floor of the run's CPU."""

    requests: int
    refused: int
    decoding_seconds: float


def decoding_seconds(records: Sequence[RequestRecord]) -> float:
    """CPU seconds the standard library's C JSON decoder takes to turn every answer of
    ``records`` into Python objects: what any Python client spends before it can look at the
    data, so the least CPU a run reading these answers can take (best of three)."""
    answers = [record.answer for record in records if record.answer]
    spent = []
    for _ in range(3):
        started = time.process_time()
        for answer in answers:
            json.loads(answer)
        spent.append(time.process_time() - started)
    return min(spent)


def account_makers(quick: bool) -> dict[str, Callable[[], Account]]:
    """The accounts by name; ``--quick`` replaces the enterprise ones by tiny ones."""
    sizes = TINY_SIZES if quick else ENTERPRISE_SIZES
    incidents = 1000 if quick else 100_000
    return {
        "demo": demo_account,
        "enterprise": lambda: generated_account(**sizes, incidents=incidents),
        "enterprise-10k": lambda: generated_account(**sizes, incidents=incidents // 10),
    }


def floor_seconds(requests: int, latency_ms: int) -> float:
    """The least wall time ``requests`` can take: the latency floor (eight in flight, each
    waiting one round trip) or the budget floor (past the 900 that may leave at once, PagerDuty's
    960 a minute, 16 a second), whichever is longer."""
    latency = requests / ClientConfig.max_concurrency * latency_ms / 1000
    budget = (requests - BUDGET_PER_MINUTE) / (PAGERDUTY_RATE_LIMIT / 60)
    return max(latency, budget, 0.0)


class Bench:
    """Holds the servers, the generated policies and the results of one bench run."""

    def __init__(self, settings: Settings, stack: ExitStack,
                 launchers: tuple[Launcher, Launcher]) -> None:
        self.settings = settings
        self.launcher, self.second_launcher = launchers
        self.work = settings.output / "work"
        shutil.rmtree(self.work, ignore_errors=True)
        self.work.mkdir(parents=True)
        self._stack = stack
        self._makers = account_makers(settings.quick)
        self._servers: dict[str, SimServer] = {}
        self._policies: dict[tuple[str, bool], Path] = {}
        self._documented: dict[Path, accounts.Documented] = {}
        self.snapshots: dict[str, Path] = {}
        self.rows: list[Row] = []
        self.pdlint = str(Path(sys.executable).parent / "pdlint")

    def server(self, name: str) -> SimServer:
        if name not in self._servers:
            server = SimServer(self._makers[name](), token=TOKEN,
                               latency_ms=self.settings.latency_ms, cache_answers=True)
            self._servers[name] = self._stack.enter_context(server)
        return self._servers[name]

    def account(self, name: str) -> Account:
        return self.server(name).account

    def policy(self, name: str, *, register: bool) -> Path:
        """The policy documenting account ``name`` (the example policy for the demo)."""
        if name == "demo":
            return ROOT / "policy"
        key = (name, register)
        if key not in self._policies:
            folder = self.work / f"policy-{name}-{'register' if register else 'notes'}"
            self._policies[key] = write_policy(self.account(name), folder, register=register)
        return self._policies[key]

    def documented(self, name: str, policy: Path) -> accounts.Documented:
        """What ``policy`` asks of account ``name``'s read (``accounts.Documented``)."""
        if policy not in self._documented:
            self._documented[policy] = documented_by(policy, self.account(name))
        return self._documented[policy]

    def environment(self) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items()
               if not key.startswith("PAGERDUTY_")}
        return {**env, "PAGERDUTY_API_TOKEN": TOKEN}

    def against(self, name: str, command: Sequence[str], *, warm: bool = True,
                ) -> tuple[Run, Served]:
        """Run ``command`` against account ``name``'s server, the rate limit freshly installed;
        returns the run and what the server saw of it (``Served``).

        A warm-up run first (not with ``--quick``, nor when ``warm`` is false because one has
        run), without latency or rate limit, fills the server's answer cache: the measured run
        then finds its answers ready, as if computed by PagerDuty's servers within the latency,
        instead of by the simulator on a core that the measured command needs too.
        """
        (run,), served = self.together(name, [command], warm=warm)
        return run, served

    def together(self, name: str, commands: Sequence[Sequence[str]], *, warm: bool = True,
                 ) -> tuple[list[Run], Served]:
        """``against`` for one or two commands started at once (the second by a second
        launcher), with the same token: what was served is of both."""
        server = self.server(name)
        if warm and not self.settings.quick:
            server.faults, server.latency_ms = Faults(), 0
            self.launcher.run(commands[0], env=self.environment(), cwd=ROOT)
        server.faults = Faults(rate_limit_per_minute=PAGERDUTY_RATE_LIMIT)
        server.latency_ms = self.settings.latency_ms
        server.clear_requests()
        # The accounts and the cached answers are millions of objects that live as long as the
        # bench: out of the collector's reach, they cannot stall the simulator mid-run.
        gc.freeze()
        launchers = (self.launcher, self.second_launcher)
        with ThreadPoolExecutor(len(commands)) as pool:
            runs = list(pool.map(lambda launcher, command: launcher.run(
                command, env=self.environment(), cwd=ROOT), launchers, commands))
        seen = server.requests
        for run in runs:
            if run.exit_code not in (0, 1):
                raise SystemExit(f"{' '.join(run.command)} failed ({run.exit_code}):\n"
                                 f"{run.stderr}")
        return runs, Served(len(seen), sum(1 for record in seen if record.status == 429),
                            decoding_seconds(seen))

    def leaves_out(self, row: str) -> bool:
        """Whether ``--quick`` leaves this row out (its code path is run by another row)."""
        return self.settings.quick and row in QUICK_LEAVES_OUT

    def measured_cli(self, row: Row, name: str, arguments: Sequence[str], minimum: int, *,
                     wall_limit: float | None = None, cpu_limit: float | None = None,
                     repeats: int | None = None) -> Row:
        """``pdlint ARGUMENTS`` against account ``name``, ``repeats`` (``--repeats``) times: the
        median wall and CPU, the largest request count and peak RSS, every 429."""
        server = self.server(name)
        command = [self.pdlint, *arguments, "--api-url", server.base_url, "--quiet"]
        measured = [self.against(name, command, warm=index == 0)
                    for index in range(repeats or self.settings.repeats)]
        runs = [run for run, _ in measured]
        row.exit_code = max(run.exit_code for run in runs)
        row.requests, row.minimum = max(served.requests for _, served in measured), minimum
        row.wall_seconds = statistics.median(run.wall_seconds for run in runs)
        row.cpu_seconds = statistics.median(run.cpu_seconds for run in runs)
        row.peak_rss_mib = max(run.peak_rss_mib for run in runs)
        row.rate_limited = sum(served.refused for _, served in measured)
        row.figures["decoding the answers, CPU s"] = round(statistics.median(
            served.decoding_seconds for _, served in measured), 2)
        row.floor_seconds = floor_seconds(minimum, self.settings.latency_ms)
        if len(runs) > 1:
            row.figures["wall s of each run"] = [round(run.wall_seconds, 2) for run in runs]
            row.figures["CPU s of each run"] = [round(run.cpu_seconds, 2) for run in runs]
        targets = ["≤ 1.05 × min", "no 429"]
        row.met = (row.request_ratio or 0) <= 1.05 and row.rate_limited == 0
        if wall_limit is not None:
            targets.append(f"wall ≤ {wall_limit:g} s")
            row.met = row.met and row.wall_seconds <= wall_limit
        if cpu_limit is not None:
            targets.append(f"CPU ≤ {cpu_limit:g} s")
            row.figures["CPU ÷ decoding"] = round(
                row.cpu_seconds / max(row.figures["decoding the answers, CPU s"], 0.01), 1)
            row.met = row.met and row.cpu_seconds <= cpu_limit
        row.target = ", ".join(targets)
        return row


def schedule_window(account: Account) -> tuple[str, str]:
    since = account.now.replace(minute=0, second=0, microsecond=0)
    return iso(since), iso(since + SCHEDULE_WINDOW)


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


# -- the rows ---------------------------------------------------------------------------------

def configuration_rows(bench: Bench, name: str) -> Iterator[Row]:
    account = bench.account(name)
    since, until = schedule_window(account)
    window = ["--since", since, "--until", until]
    minimum = accounts.configuration_requests(account)
    snapshot = bench.work / f"{name}.snapshot.json"
    enterprise = name == "enterprise"
    yield bench.measured_cli(
        Row(f"snapshot-{name}", "pdlint snapshot", name, "pdlint snapshot -o FILE"),
        name, ["snapshot", "-o", str(snapshot), *window], minimum,
        wall_limit=SNAPSHOT_WALL_LIMIT if enterprise else None)
    bench.snapshots[name] = snapshot
    if bench.leaves_out(f"drift-{name}"):
        return
    policy = bench.policy(name, register=True)
    yield bench.measured_cli(
        Row(f"drift-{name}", "pdlint drift", name, "pdlint drift --policy DIR"),
        name, ["drift", "--policy", str(policy), "--format", "json", "-o",
               str(bench.work / f"{name}.drift.json"), *window],
        accounts.configuration_requests(account, bench.documented(name, policy)),
        wall_limit=DRIFT_WALL_LIMIT if enterprise else None)


SCOPED_TEAMS = 3


def scoped_drift_row(bench: Bench) -> Row:
    """Drift of a policy scoped to three of the enterprise account's teams, drafted first by
    ``pdlint init --team`` (not measured)."""
    name = "enterprise"
    account = bench.account(name)
    since, until = schedule_window(account)
    window = ["--since", since, "--until", until]
    teams = account.teams[:SCOPED_TEAMS]
    folder = bench.work / "policy-enterprise-scoped"
    if not folder.exists():
        bench.against(name, [bench.pdlint, "init", "-o", str(folder), *window, "--api-url",
                             bench.server(name).base_url, "--quiet",
                             *(option for team in teams for option in ("--team", team.name))],
                      warm=False)
    row = bench.measured_cli(
        Row("drift-scoped-enterprise", "pdlint drift", name,
            f"pdlint drift --policy DIR (scope: {len(teams)} of {len(account.teams)} teams)"),
        name, ["drift", "--policy", str(folder), "--format", "json", "-o",
               str(bench.work / "enterprise-scoped.drift.json"), *window],
        accounts.configuration_requests(account, bench.documented(name, folder)))
    row.figures["whole-account minimum"] = accounts.configuration_requests(account)
    return row


def evidence_rows(bench: Bench) -> Iterator[Row]:
    """A year of evidence (a month with ``--quick``) of the demo and enterprise accounts, and
    two weeks of the enterprise account with every required postmortem looked up in notes."""
    length = QUICK_EVIDENCE_PERIOD if bench.settings.quick else EVIDENCE_PERIOD
    names = ("enterprise-10k", "enterprise")
    for name in names if bench.settings.quick else ("demo", *names):
        account = bench.account(name)
        yield evidence_row(bench, f"evidence-{name}", name, evidence_period(account, length),
                           register=name != "demo",
                           cpu_limit=EVIDENCE_CPU_LIMIT if name == "enterprise" else None)
    if not bench.leaves_out("evidence-notes-enterprise"):
        yield evidence_row(bench, "evidence-notes-enterprise", "enterprise",
                           notes_period(bench.account("enterprise"), NOTES_PERIOD),
                           register=False, repeats=1)  # a minute and more, set by the budget


def evidence_row(bench: Bench, row_id: str, name: str, period: accounts.Period, *,
                 register: bool, cpu_limit: float | None = None,
                 repeats: int | None = None) -> Row:
    """``pdlint evidence`` over ``period``, postmortems in a register file or in notes."""
    minimum = evidence_minimum(bench, name, period, register=register)
    incidents = len(accounts.incidents_in(bench.account(name), period))
    title = (f"pdlint evidence, {round(period.days())} days, {incidents:,} incidents"
             + ("" if register else ", postmortems in notes"))
    row = bench.measured_cli(
        Row(row_id, title, name, "pdlint evidence --since … --until …",
            figures={"minimum by purpose": minimum, "incidents": incidents}),
        name, evidence_arguments(bench, name, period, row_id, register=register),
        sum(minimum.values()), cpu_limit=cpu_limit, repeats=repeats)
    return row


def evidence_period(account: Account, length: timedelta) -> accounts.Period:
    """The last ``length`` of the account's clock, starting where PagerDuty still keeps audit
    records (12 months back) for a run within ``AUDIT_MARGIN`` of now: a generated account's
    clock is on the hour, behind the real one, and a period of a year would begin outside."""
    earliest = datetime.now(timezone.utc) - length + AUDIT_MARGIN
    return accounts.Period(max(account.now - length, earliest), account.now)


def evidence_minimum(bench: Bench, name: str, period: accounts.Period, *,
                     register: bool) -> dict[str, int]:
    account = bench.account(name)
    notes = (frozenset() if register else _demo_postmortem_priorities(bench) if name == "demo"
             else postmortem_priorities(account))
    return accounts.evidence_requests(
        account, period, bench.documented(name, bench.policy(name, register=register)),
        note_priorities=notes)


def evidence_arguments(bench: Bench, name: str, period: accounts.Period, output: str, *,
                       register: bool) -> list[str]:
    return ["evidence", "--policy", str(bench.policy(name, register=register)),
            "-o", str(bench.work / f"{output}.evidence"), "--force",
            "--since", iso(period.since), "--until", iso(period.until)]


def notes_period(account: Account, length: timedelta) -> accounts.Period:
    """The last ``length`` of the account's incidents (the last one included)."""
    end = account.incidents[len(account.incidents) - 1].created_at + timedelta(seconds=1)
    return accounts.Period(end - length, end)


def shared_key_row(bench: Bench) -> Row:
    """Two ``pdlint evidence`` runs at once with the same token, each reading a week of the
    enterprise account with postmortems in notes: together more than the key's 960 a minute,
    so each must read PagerDuty's ``ratelimit-*`` headers to leave the other room."""
    name = "enterprise"
    period = notes_period(bench.account(name), SHARED_KEY_PERIOD)
    minimum = evidence_minimum(bench, name, period, register=False)
    server = bench.server(name)
    commands = [[bench.pdlint, *evidence_arguments(bench, name, period, f"shared-key-{run}",
                                                   register=False),
                 "--api-url", server.base_url, "--quiet"] for run in (1, 2)]
    runs, served = bench.together(name, commands)
    return Row("shared-key-enterprise", "two pdlint evidence runs at once on one key, "
               f"{round(period.days())} days each, postmortems in notes", name,
               "pdlint evidence, twice at once", exit_code=max(run.exit_code for run in runs),
               requests=served.requests, minimum=2 * sum(minimum.values()),
               wall_seconds=max(run.wall_seconds for run in runs),
               cpu_seconds=sum(run.cpu_seconds for run in runs),
               peak_rss_mib=max(run.peak_rss_mib for run in runs),
               rate_limited=served.refused,
               figures={"wall s of each run": [round(run.wall_seconds, 2) for run in runs]},
               target="no 429 for either", met=served.refused == 0)


def policy_load_row(bench: Bench) -> Row:
    """CPU of ``load_policy`` on the enterprise policy, each time in a fresh process."""
    command = [sys.executable, str(BENCH / "policy_time.py"),
               str(bench.policy("enterprise", register=True))]
    runs = [bench.launcher.run(command, cwd=ROOT) for _ in range(POLICY_LOAD_REPEATS)]
    for run in runs:
        if run.exit_code != 0:
            raise SystemExit(f"policy timing failed:\n{run.stderr}")
    seconds = [json.loads(run.stdout)["cpu_seconds"] for run in runs]
    median = statistics.median(seconds)
    return Row("policy-load-enterprise", f"load the enterprise policy (median CPU of "
               f"{len(runs)})", "enterprise", "load_policy() in bench/policy_time.py",
               cpu_seconds=median, peak_rss_mib=max(run.peak_rss_mib for run in runs),
               figures={"CPU s of each run": [round(value, 3) for value in seconds],
                        **json.loads(runs[0].stdout)["sizes"]},
               target=f"CPU ≤ {POLICY_LOAD_CPU_LIMIT:g} s", met=median <= POLICY_LOAD_CPU_LIMIT)


def documented_by(policy_path: Path, account: Account) -> accounts.Documented:
    """The services the policy documents, its scope's teams (by id in ``account``), and the
    requests each incident of a priority costs to check who was told, from the policy itself
    as pdlint loads it."""
    from pdlint.policy import load_policy

    loaded = load_policy((str(policy_path),))
    assert loaded.policy is not None, loaded.findings
    policy = loaded.policy
    scope = policy.scope
    team_ids = None if scope is None else frozenset(
        team.id for team in account.teams if team.name in scope.team_names)
    told = {severity.pagerduty_priority.value: len(severity.notify.value)
            for severity in policy.severities
            if severity.notify_within is not None and severity.notify is not None
            and severity.pagerduty_priority is not None}
    return accounts.Documented(
        frozenset(service.name for service in policy.services),
        frozenset(service.id.value for service in policy.services if service.id is not None),
        team_ids, told)


def _demo_postmortem_priorities(bench: Bench) -> frozenset[str]:
    """The priorities whose incidents need a postmortem under the example policy."""
    from pdlint.policy import load_policy

    loaded = load_policy((str(bench.policy("demo", register=False)),))
    assert loaded.policy is not None
    return frozenset(severity.pagerduty_priority.value for severity in loaded.policy.severities
                     if severity.postmortem_within is not None and severity.pagerduty_priority)


def memory_row(bench: Bench) -> Row:
    """Peak RSS of the evidence run as incidents grow tenfold (from the two evidence rows)."""
    small = next(row for row in bench.rows if row.id == "evidence-enterprise-10k")
    large = next(row for row in bench.rows if row.id == "evidence-enterprise")
    assert small.peak_rss_mib and large.peak_rss_mib
    growth = large.peak_rss_mib / small.peak_rss_mib
    return Row("evidence-memory", "pdlint evidence peak RSS, 10× the incidents", "enterprise",
               "(the two evidence rows above)", peak_rss_mib=large.peak_rss_mib,
               figures={"peak RSS 10k incidents (MiB)": round(small.peak_rss_mib, 1),
                        "peak RSS 100k incidents (MiB)": round(large.peak_rss_mib, 1),
                        "growth": round(growth, 3)},
               target="peak RSS grows < 10 % with 10× the incidents", met=growth < 1.10)


PAGING_MEMORY_SERVICES = (1250, 5000)
"""The evidence's paging section is measured at these numbers of services, all paging the same
100 escalation policies, 200 schedules and 2,000 people (``bench/paging_memory.py``)."""
QUICK_PAGING_MEMORY_SERVICES = (40, 160)
QUICK_PAGING_MEMORY_SIZES = ("--escalation-policies", "10", "--schedules", "5", "--users", "50",
                             "--days", "30")


def paging_memory_row(bench: Bench) -> Row:
    """The memory of the evidence's paging section over a year as the services grow fourfold,
    what they page staying the same: what it keeps grows by its rows, its working memory must
    not grow with the services."""
    quick = bench.settings.quick
    sizes = QUICK_PAGING_MEMORY_SIZES if quick else ("--escalation-policies", "100")
    measured = []
    for services in QUICK_PAGING_MEMORY_SERVICES if quick else PAGING_MEMORY_SERVICES:
        run = bench.launcher.run([sys.executable, str(BENCH / "paging_memory.py"), str(services),
                                  *sizes], cwd=ROOT)
        if run.exit_code != 0:
            raise SystemExit(f"paging memory failed:\n{run.stderr}")
        measured.append(json.loads(run.stdout))
    small, large = measured
    growth = large["working MiB"] / max(small["working MiB"], 0.01)
    return Row("evidence-paging-memory",
               f"evidence paging section, {large['days']} days, 4× the services", "generated",
               "paging_section() in bench/paging_memory.py", cpu_seconds=large["CPU s"],
               peak_rss_mib=run.peak_rss_mib,
               figures={**{f"{item['services']} services": {
                   key: item[key] for key in ("rows", "working MiB", "kept MiB", "CPU s")}
                   for item in measured}, "working memory growth": round(growth, 3)},
               target="working memory grows < 25 % with 4× the services", met=growth < 1.25)


def offline_drift_row(bench: Bench) -> Row:
    policy = bench.policy("enterprise", register=True)
    command = [bench.pdlint, "drift", "--policy", str(policy), "--snapshot",
               str(bench.snapshots["enterprise"]), "--format", "json", "-o",
               str(bench.work / "offline.drift.json")]
    run = bench.launcher.run(command, cwd=ROOT)
    return Row("drift-snapshot-enterprise", "pdlint drift --snapshot (no network)", "enterprise",
               "pdlint drift --snapshot FILE", exit_code=run.exit_code,
               wall_seconds=run.wall_seconds, cpu_seconds=run.cpu_seconds,
               peak_rss_mib=run.peak_rss_mib)


HISTORY_DAYS = 365
QUICK_HISTORY_DAYS = 30


def write_history(folder: Path, report: dict[str, Any], days: int) -> datetime:
    """``days`` daily runs of ``report`` in ``folder``, added as `pdlint drift --record` adds a
    run (the report and its history record), each finding absent 3 days in 45 and no run one day
    in 30; returns the time of the first."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir()
    findings = report["findings"]
    start = datetime(2026, 1, 1, 6, tzinfo=timezone.utc)
    for day in range(days):
        if day % 30 == 29:
            continue
        moment = start + timedelta(days=day)
        dated = {**report, "checked_at": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
                 "findings": [finding for index, finding in enumerate(findings)
                              if (index + day) % 45 >= 3]}
        add_run(folder, f"{moment:%Y%m%dT%H%M%SZ}",
                indented_json(dated, sort_keys=True, line_end=True))
    return start


def record_decoding_seconds(records: Sequence[Path]) -> float:
    """CPU seconds reading the history ``records`` takes, each a line at a time with every line
    not seen before turned into Python objects by the standard library's C JSON decoder: the
    least a reader of the records spends, as a year's runs repeat most of their findings (best
    of three)."""
    spent = []
    for _ in range(3):
        started = time.process_time()
        decoded: dict[str, Any] = {}
        for record in records:
            for line in record.read_bytes().decode("utf-8").split("\n")[1:-1]:
                if line not in decoded:
                    decoded[line] = json.loads(line)
        spent.append(time.process_time() - started)
    return min(spent)


def history_rows(bench: Bench) -> Iterator[Row]:
    """A year of daily drift reports of the enterprise account (the offline drift report of
    ``drift-snapshot``, dated a day apart, each drift absent 3 days in 45 so that drifts open
    and close, and no run one day in 30), with their history records as `drift --record`
    writes them, summarised by `pdlint history` and by the evidence's continuous-compliance
    section."""
    days = QUICK_HISTORY_DAYS if bench.settings.quick else HISTORY_DAYS
    folder = bench.work / "history"
    report = json.loads((bench.work / "offline.drift.json").read_text(encoding="utf-8"))
    start = write_history(folder, report, days)
    reports = [path for path in folder.iterdir() if not path.name.endswith(RECORD_SUFFIX)]
    records = [path for path in folder.iterdir() if path.name.endswith(RECORD_SUFFIX)]
    decoding = round(record_decoding_seconds(records), 2)
    figures = {"reports": len(reports), "findings per report": len(report["findings"]),
               "MiB": round(sum(path.stat().st_size for path in reports) / 2**20, 1),
               "history records MiB": round(sum(path.stat().st_size for path in records)
                                            / 2**20, 1),
               "decoding the history records, CPU s": decoding}
    run = bench.launcher.run([bench.pdlint, "history", str(folder), "-o",
                              str(bench.work / "history.txt")], cwd=ROOT)
    if run.exit_code not in (0, 1):
        raise SystemExit(f"pdlint history failed ({run.exit_code}):\n{run.stderr}")
    yield Row("history-enterprise", f"pdlint history, {days} daily reports", "enterprise",
              "pdlint history DIR", exit_code=run.exit_code, wall_seconds=run.wall_seconds,
              cpu_seconds=run.cpu_seconds, peak_rss_mib=run.peak_rss_mib,
              figures={**figures, "CPU ÷ decoding": round(run.cpu_seconds / max(decoding, 0.01),
                                                          1)},
              target="wall < 5 s", met=run.wall_seconds < 5.0)
    until = start + timedelta(days=days)
    section = bench.launcher.run([sys.executable, str(BENCH / "history_time.py"), str(folder),
                                  iso(start - timedelta(hours=6)), iso(until)], cwd=ROOT)
    if section.exit_code != 0:
        raise SystemExit(f"history timing failed:\n{section.stderr}")
    timed = json.loads(section.stdout)
    yield Row("history-section-enterprise", f"evidence --history section, {days} daily reports",
              "enterprise", "history_section() in bench/history_time.py",
              wall_seconds=section.wall_seconds, cpu_seconds=round(timed["cpu_seconds"], 2),
              peak_rss_mib=section.peak_rss_mib, figures=timed, target="wall < 5 s",
              met=section.wall_seconds < 5.0)


def rules_row(bench: Bench) -> Row:
    command = [sys.executable, str(BENCH / "rule_time.py"), "--policy",
               str(bench.policy("enterprise", register=True)), "--snapshot",
               str(bench.snapshots["enterprise"])]
    run = bench.launcher.run(command, cwd=ROOT)
    if run.exit_code != 0:
        raise SystemExit(f"rule timing failed:\n{run.stderr}")
    figures = json.loads(run.stdout)
    seconds = figures["drift_cpu_seconds"]
    return Row("rules-cpu-enterprise", "drift rules alone (CPU of the first evaluation)",
               "enterprise",
               "drift(policy, state, today) in bench/rule_time.py", cpu_seconds=seconds,
               peak_rss_mib=run.peak_rss_mib, figures=figures, target="CPU < 2 s",
               met=seconds < 2.0)


def official_rows(bench: Bench) -> Iterator[Row]:
    python = str(venvs.ensure_venv(venvs.OFFICIAL) / "bin" / "python")
    plans = [("enterprise", "include")] + [("demo", style) for style in ("include", "per-object")]
    for name, style in plans:
        server = bench.server(name)
        since, until = schedule_window(server.account)
        command = [python, str(BENCH / "official.py"), "--api-url", server.base_url,
                   "--since", since, "--until", until, "--style", style]
        run, served = bench.against(name, command)
        pdlint = next(row for row in bench.rows if row.id == f"snapshot-{name}")
        assert pdlint.wall_seconds is not None
        speedup = run.wall_seconds / pdlint.wall_seconds
        if style == "per-object":
            enterprise = next(row for row in bench.rows if row.id == "snapshot-enterprise")
            figures_extra = per_object_estimate(bench.account("enterprise"), run,
                                                served.requests, enterprise.wall_seconds)
        else:
            figures_extra = {}
        plan = ("the same requests as pdlint (include[])" if style == "include"
                else "per-object requests")
        yield Row(f"official-{style}-{name}",
                  f"official client, {plan}, vs pdlint snapshot", name,
                  f"official.py --style {style}", exit_code=run.exit_code,
                  requests=served.requests,
                  minimum=accounts.configuration_requests(server.account),
                  wall_seconds=run.wall_seconds, cpu_seconds=run.cpu_seconds,
                  peak_rss_mib=run.peak_rss_mib, rate_limited=served.refused,
                  figures={"objects": json.loads(run.stdout), "pdlint snapshot wall":
                           round(pdlint.wall_seconds, 2), "pdlint speedup": round(speedup, 2),
                           **figures_extra},
                  target="pdlint ≥ 5× faster", met=speedup >= 5)


def per_object_estimate(enterprise: Account, run: Run, requests: int,
                        pdlint_wall: float | None) -> dict[str, Any]:
    """What the per-object plan would take on the enterprise account: one request per user for
    contact methods and one for notification rules, one per schedule, at the pace measured on
    the demo account, and never faster than the rate limit allows."""
    count = (accounts.configuration_requests(enterprise) + 2 * len(enterprise.users)
             + len(enterprise.schedules))
    seconds = max(count * run.wall_seconds / requests, count / (PAGERDUTY_RATE_LIMIT / 60))
    estimate = {"per-object plan on the enterprise account: requests": count,
                "estimated minutes": round(seconds / 60, 1)}
    if pdlint_wall:
        estimate["pdlint speedup on the enterprise account (estimated)"] = round(
            seconds / pdlint_wall)
    return estimate


def lint_rows(bench: Bench) -> Iterator[Row]:
    repeats = 1 if bench.settings.quick else LINT_REPEATS
    files = sorted(str(path) for path in (ROOT / "policy").glob("*.yaml"))
    runs = bench.launcher.repeated([bench.pdlint, "lint", "policy"], repeats, cwd=ROOT)
    wall = statistics.median(run.wall_seconds for run in runs)
    row = Row("lint-example", f"pdlint lint, example policy (median of {repeats})", "-",
              "pdlint lint policy", wall_seconds=wall,
              cpu_seconds=statistics.median(run.cpu_seconds for run in runs),
              peak_rss_mib=max(run.peak_rss_mib for run in runs),
              figures={"wall s of each run": sorted(round(run.wall_seconds, 3) for run in runs),
                       "CPU s of each run": sorted(round(run.cpu_seconds, 3) for run in runs)},
              target=f"median wall ≤ {LINT_WALL_LIMIT:g} s", met=wall <= LINT_WALL_LIMIT)
    if bench.settings.skip_venvs:
        yield row
        return
    tools = venvs.ensure_venv(venvs.TOOLS)
    checked = bench.launcher.repeated([str(tools / "bin" / "check-jsonschema"), "--schemafile",
                                       "schemas/policy.schema.json", *files], repeats, cwd=ROOT)
    checker = statistics.median(run.wall_seconds for run in checked)
    row.figures.update({
        "check-jsonschema median wall": round(checker, 3),
        "check-jsonschema median CPU": round(statistics.median(
            run.cpu_seconds for run in checked), 3),
        "pdlint speedup": round(checker / wall, 2)})
    row.target += " and faster than check-jsonschema"
    row.met = row.met and wall < checker
    yield row


# -- running and reporting --------------------------------------------------------------------

ROW_GROUPS: dict[str, Callable[[Bench], Iterator[Row] | Row]] = {
    "configuration-demo": lambda bench: configuration_rows(bench, "demo"),
    "configuration-enterprise": lambda bench: configuration_rows(bench, "enterprise"),
    "scope": scoped_drift_row,
    "drift-snapshot": offline_drift_row,
    "rules-cpu": rules_row,
    "history": history_rows,
    "evidence": evidence_rows,
    "evidence-memory": memory_row,
    "paging-memory": paging_memory_row,
    "official": official_rows,
    "shared-key": shared_key_row,
    "policy-load": policy_load_row,
    "lint": lint_rows,
}
NEEDS = {"drift-snapshot": "configuration-enterprise", "rules-cpu": "configuration-enterprise",
         "history": "drift-snapshot",
         "evidence-memory": "evidence", "official": "configuration-enterprise"}
NEEDS_VENV = {"official"}
QUICK_LEAVES_OUT = {"configuration-demo", "drift-snapshot", "drift-enterprise",
                    "evidence-notes-enterprise", "scope"}
"""Row groups and rows whose code paths other rows run too; ``--quick`` leaves them out to keep
to seconds."""


def chosen_groups(settings: Settings) -> list[str]:
    """The row groups to run: all, or those named by ``--only`` and what they need."""
    wanted = set(ROW_GROUPS) if not settings.only else set(settings.only)
    unknown = wanted - set(ROW_GROUPS)
    if unknown:
        raise SystemExit(f"unknown row group(s) {', '.join(sorted(unknown))}; "
                         f"known: {', '.join(ROW_GROUPS)}")
    if settings.skip_venvs:
        wanted -= NEEDS_VENV
    if settings.quick and not settings.only:
        wanted -= QUICK_LEAVES_OUT
    for group in list(wanted):
        while group in NEEDS:  # what it needs, and what that needs
            group = NEEDS[group]
            wanted.add(group)
    if "official" in wanted:
        wanted.add("configuration-demo")
    return [group for group in ROW_GROUPS if group in wanted]


def machine(settings: Settings) -> dict[str, Any]:
    facts: dict[str, Any] = {
        "cpus": os.cpu_count(), "cpu": _cpu_model(), "platform": platform.platform(),
        "python": platform.python_version(), "pdlint": __version__, "commit": _commit(),
        "httpx": httpx.__version__, "latency_ms": settings.latency_ms,
        "repeats": settings.repeats,
        "rate_limit_per_minute": PAGERDUTY_RATE_LIMIT, "quick": settings.quick,
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d"),
        "load average at the end (1, 5, 15 min)": " / ".join(
            f"{load:.2f}" for load in os.getloadavg()),
    }
    if not settings.skip_venvs:
        facts["pagerduty"] = venvs.installed_version(venvs.ensure_venv(venvs.OFFICIAL),
                                                     "pagerduty")
        facts["check-jsonschema"] = venvs.installed_version(venvs.ensure_venv(venvs.TOOLS),
                                                            "check-jsonschema")
    return facts


def _commit() -> str:
    """The commit measured (``-dirty`` with uncommitted changes), so that the docs can say which
    figures are older than the code; ``unknown`` outside a git checkout."""
    try:
        described = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT,
                                   capture_output=True, text=True, check=False)
    except OSError:
        return "unknown"
    return described.stdout.strip() if described.returncode == 0 else "unknown"


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _number(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def render_table(rows: Sequence[Row]) -> str:
    lines = ["| row | account | requests (min) | ×min | 429s | wall s (floor) | ×floor | CPU s "
             "| peak RSS MiB | target | met | reproduce |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for row in rows:
        requests = ("–" if row.requests is None else
                    f"{row.requests:,} ({row.minimum:,})" if row.minimum else f"{row.requests:,}")
        wall = (_number(row.wall_seconds) if row.floor_seconds is None
                else f"{_number(row.wall_seconds)} ({_number(row.floor_seconds)})")
        met = {True: "yes", False: "**no**", None: ""}[row.met]
        lines.append(
            f"| `{row.id}` {row.title} | {row.account} | {requests} | "
            f"{_number(row.request_ratio, 3)} | {row.rate_limited if row.requests else '–'} | "
            f"{wall} | {_number(row.wall_ratio)} | {_number(row.cpu_seconds)} | "
            f"{_number(row.peak_rss_mib, 0)} | {row.target} | {met} | `--only {row.group}` |")
    return "\n".join(lines) + "\n"


def render_figures(rows: Sequence[Row]) -> str:
    lines = [f"- `{row.id}`: " + "; ".join(f"{key} {value}" for key, value in row.figures.items())
             for row in rows if row.figures]
    return "\n".join(lines) + "\n"


def render_machine(facts: dict[str, Any]) -> str:
    return ", ".join(f"{key} {value}" for key, value in facts.items()) + "\n"


def update_docs(text: str) -> None:
    document = DOCS.read_text(encoding="utf-8")
    start, end = document.index(TABLE_START), document.index(TABLE_END)
    DOCS.write_text(document[:start + len(TABLE_START)] + "\n" + text + document[end:],
                    encoding="utf-8")


def merged(rows: list[Row], facts: dict[str, Any], earlier: Path) -> tuple[list[Row], str]:
    """``rows`` and the rows of the earlier run in ``earlier`` that ``rows`` do not replace, in
    the order of the groups; and the machine lines of both runs."""
    document = json.loads(earlier.read_text(encoding="utf-8"))
    names = {field.name for field in fields(Row)}
    measured = {row.id for row in rows}
    kept = [Row(**{key: value for key, value in row.items() if key in names})
            for row in document["rows"] if row["id"] not in measured]
    order = list(ROW_GROUPS)
    rows = sorted(rows + kept, key=lambda row: order.index(row.group))
    now = ", ".join(dict.fromkeys(row.group for row in rows if row.id in measured))
    before = ", ".join(dict.fromkeys(row.group for row in kept))
    return rows, (f"Machine ({now}): " + render_machine(facts) + f"\nMachine ({before}): "
                  + render_machine(document["machine"]))


def parse_arguments(argv: Sequence[str] | None) -> tuple[Settings, bool, Path | None]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="smoke run: tiny accounts, no latency, short periods")
    parser.add_argument("--latency-ms", type=int, default=None,
                        help="delay of every answer [default: 80, 0 with --quick]")
    parser.add_argument("--skip-venvs", action="store_true",
                        help="leave out the official client and check-jsonschema (no installs)")
    parser.add_argument("--only", default="", metavar="GROUP[,GROUP]",
                        help=f"row groups to run: {', '.join(ROW_GROUPS)}")
    parser.add_argument("--output", type=Path, default=BENCH / "results",
                        help="folder for results.json, results.md and the work files")
    parser.add_argument("--repeats", type=int, default=1,
                        help="measured runs of each pdlint command against the simulator; "
                             "rows show the median [default: 1]")
    parser.add_argument("--merge", type=Path, default=None, metavar="RESULTS_JSON",
                        help="also show the rows of an earlier run (its results.json) that this "
                             "run does not measure, with that run's machine facts")
    parser.add_argument("--update-docs", action="store_true",
                        help="write the results table into docs/benchmarks.md")
    arguments = parser.parse_args(argv)
    settings = Settings(
        quick=arguments.quick,
        latency_ms=(arguments.latency_ms if arguments.latency_ms is not None
                    else 0 if arguments.quick else 80),
        skip_venvs=arguments.skip_venvs,
        only=frozenset(filter(None, arguments.only.split(","))),
        output=arguments.output.resolve(), repeats=max(1, arguments.repeats))
    return settings, arguments.update_docs, arguments.merge


def compile_package() -> None:
    """Compile pdlint's modules to bytecode (``__pycache__``), as installing pdlint does.

    Where ``PYTHONDONTWRITEBYTECODE`` is set, as for the engineers of the machine these figures
    come from, a command run from a source checkout would otherwise compile every module it
    imports, on every run: 0.07 s of the 0.25 s of CPU `pdlint lint policy` took, charged to
    pdlint and to no installed copy of it. Python reads the compiled modules whatever that
    setting says."""
    compileall.compile_dir(ROOT / "pdlint", quiet=1)


def main(argv: Sequence[str] | None = None) -> int:
    settings, docs, earlier = parse_arguments(argv)
    started = time.perf_counter()
    compile_package()
    groups = chosen_groups(settings)
    loads: dict[str, float] = {}
    with ExitStack() as stack:
        launchers = (stack.enter_context(Launcher()),  # first, while this process is small
                     stack.enter_context(Launcher()))
        bench = Bench(settings, stack, launchers)
        for group in groups:
            loads[group] = round(os.getloadavg()[0], 2)
            produced = ROW_GROUPS[group](bench)
            for row in [produced] if isinstance(produced, Row) else produced:
                row.group = group
                bench.rows.append(row)
                print(f"{row.id}: wall {_number(row.wall_seconds)} s, requests "
                      f"{row.requests if row.requests is not None else '–'}"
                      f"{'' if row.met is None else ', target met' if row.met else ', MISSED'}",
                      flush=True)
        facts = machine(settings)
    facts["load average (1 min) as each group began"] = loads
    facts["bench_minutes"] = round((time.perf_counter() - started) / 60, 1)
    rows, machines = bench.rows, "Machine: " + render_machine(facts)
    if earlier is not None:
        rows, machines = merged(rows, facts, earlier)
    text = machines + "\n" + render_table(rows) + "\n" + render_figures(rows)
    settings.output.mkdir(parents=True, exist_ok=True)
    (settings.output / "results.md").write_text(text, encoding="utf-8")
    (settings.output / "results.json").write_text(json.dumps(
        {"machine": facts, "rows": [{**asdict(row), "request_ratio": row.request_ratio,
                                     "wall_ratio": row.wall_ratio} for row in rows]},
        indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    if docs:
        update_docs(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
