"""The command line: parse options, call one function, pick a reporter, exit.

Heavy rooms (the HTTP client, deepdiff, the simulator) are imported inside the commands that need
them, so ``pdlint lint`` as a pre-commit hook starts fast and never loads network code.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import TYPE_CHECKING, Any, TypeVar

import click

from pdlint import __version__
from pdlint.errors import PdlintError

if TYPE_CHECKING:
    from pdlint.pagerduty.client import ClientConfig
    from pdlint.pagerduty.state import Window

F = TypeVar("F", bound=Callable[..., Any])

REPORT_FORMATS = ("text", "json", "sarif", "github", "junit", "markdown")
FAIL_ON = ("error", "warning", "never")


def policy_option(command: F) -> F:
    return click.option(
        "--policy", "policy_path", default="policy", show_default=True,
        type=click.Path(path_type=str), help="Policy file or folder of policy files.",
    )(command)


def report_options(command: F) -> F:
    command = click.option(
        "--fail-on", type=click.Choice(FAIL_ON), default="error", show_default=True,
        help="Lowest severity that makes the run exit 1.",
    )(command)
    command = click.option(
        "-o", "--output", type=click.Path(dir_okay=False, path_type=str), default=None,
        help="Write the report to FILE instead of standard output.",
    )(command)
    return click.option(
        "--format", "output_format", type=click.Choice(REPORT_FORMATS), default="text",
        show_default=True, help="Report format.",
    )(command)


class Moment(click.ParamType):
    """An ISO 8601 date or time; no zone means UTC. A bare date is the start of that day, or
    with ``end_of_day`` its end (``--until 2026-06-30`` includes June 30)."""

    name = "time"

    def __init__(self, *, end_of_day: bool = False) -> None:
        self.end_of_day = end_of_day

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> datetime:
        if isinstance(value, datetime):
            return value
        text = str(value).strip()
        try:
            if len(text) == 10:
                day = date.fromisoformat(text) + timedelta(days=1 if self.end_of_day else 0)
                return datetime.combine(day, time(), timezone.utc)
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            self.fail(f"{text!r} is not an ISO 8601 date or time (2026-01-31, "
                      "2026-01-31T09:00:00Z)", param, ctx)
        return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


@dataclass(frozen=True)
class ApiOptions:
    """The connection options of every command that reads the live account (see api_options)."""

    api_url: str | None
    region: str | None
    token_file: str | None
    since: datetime | None
    until: datetime | None
    quiet: bool


def api_options(command: F) -> F:
    """Add the shared PagerDuty options; the command receives them as one ``api: ApiOptions``.

    The token comes from ``--token-file`` or ``PAGERDUTY_API_TOKEN``, never from an argument
    (it would show in ``ps`` and shell history).
    """

    @functools.wraps(command)
    def with_api(*args: Any, api_url: str | None, region: str | None, token_file: str | None,
                 since: datetime | None, until: datetime | None, quiet: bool,
                 **kwargs: Any) -> Any:
        api = ApiOptions(api_url, region, token_file, since, until, quiet)
        return command(*args, api=api, **kwargs)

    options = (
        click.option("--api-url", default=None, metavar="URL",
                     help="PagerDuty REST API base URL [default: $PAGERDUTY_API_URL, else "
                          "https://api.pagerduty.com]."),
        click.option("--region", type=click.Choice(("us", "eu")), default=None,
                     help="PagerDuty service region; eu means https://api.eu.pagerduty.com."),
        click.option("--token-file", type=click.Path(dir_okay=False, path_type=str),
                     default=None, help="File holding the API token [default: "
                                        "$PAGERDUTY_API_TOKEN]. A read-only key is enough."),
        click.option("--since", type=Moment(), default=None,
                     help="Start of the time window (ISO 8601; UTC unless a zone is given) "
                          "[default: now, or 14 days before --until]."),
        click.option("--until", type=Moment(end_of_day=True), default=None,
                     help="End of the time window; a bare date includes that day "
                          "[default: 14 days after --since]."),
        click.option("--quiet", "-q", is_flag=True, default=False,
                     help="No progress output."),
    )
    for option in reversed(options):
        with_api = option(with_api)
    return with_api  # type: ignore[return-value]


def client_config(api: ApiOptions) -> ClientConfig:
    """The client configuration the options describe; ``ConfigurationError`` (exit 2) if not."""
    from pdlint.pagerduty.client import resolve_client_config

    return resolve_client_config(api_url=api.api_url, region=api.region, token_file=api.token_file)


def api_window(api: ApiOptions, *, length: timedelta = timedelta(days=14)) -> Window:
    """The ``--since``/``--until`` window; a missing end is ``length`` from the other, and with
    neither the window starts now (to the minute, so that reruns render alike)."""
    from pdlint.pagerduty.state import Window

    since, until = api.since, api.until
    if since is None:
        since = (until - length if until is not None
                 else datetime.now(timezone.utc).replace(second=0, microsecond=0))
    try:
        return Window(since, until if until is not None else since + length)
    except ValueError as error:
        raise click.UsageError(f"--since/--until: {error}") from None


def main() -> None:
    """Entry point: run the click group and turn pdlint's own errors into exit code 2."""
    try:
        code = cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(2)
    except click.ClickException as error:
        error.show()
        sys.exit(2)
    except PdlintError as error:
        click.echo(f"pdlint: error: {error}", err=True)
        sys.exit(error.exit_code)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    sys.exit(code if isinstance(code, int) else 0)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pdlint")
def cli() -> None:
    """Check that a PagerDuty account does what the written incident-response policy says."""


@cli.command()
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=str),
              help="Snapshot file to write (replaced atomically).")
@click.option("--no-redact", is_flag=True, default=False,
              help="Keep contact-method addresses (phone numbers, emails); the file is then "
                   "readable by its owner only.")
@api_options
def snapshot(output: str, no_redact: bool, api: ApiOptions) -> None:
    """Save the live account as a JSON snapshot, for `drift --snapshot` and `diff`."""
    from pdlint.pagerduty.fetch import fetch_state_sync
    from pdlint.pagerduty.snapshot import write_snapshot

    state = fetch_state_sync(client_config(api), api_window(api), quiet=api.quiet)
    write_snapshot(state, output, redact_addresses=not no_redact)
    for skip in state.skipped:
        click.echo(f"pdlint: warning: {skip.rule} not read: {skip.reason}", err=True)
    if not api.quiet:
        counts = ", ".join(f"{len(items)} {kind.replace('_', ' ')}"
                           for kind, items in state.objects.items())
        click.echo(f"wrote {output}: {counts}", err=True)


@cli.command()
@click.argument("old", type=click.Path(dir_okay=False, path_type=str))
@click.argument("new", type=click.Path(dir_okay=False, path_type=str))
@click.option("--format", "output_format", type=click.Choice(("text", "json")), default="text",
              show_default=True, help="Output format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=str), default=None,
              help="Write to FILE instead of standard output.")
def diff(old: str, new: str, output_format: str, output: str | None) -> int:
    """Show what changed between two snapshots; exit 1 when something did, like diff(1)."""
    from pathlib import Path

    from pdlint.files import write_atomically
    from pdlint.pagerduty.diff import diff_states, render_diff_json, render_diff_text
    from pdlint.pagerduty.snapshot import load_snapshot

    changes = diff_states(load_snapshot(old), load_snapshot(new))
    text = render_diff_json(changes) if output_format == "json" else render_diff_text(changes)
    if output is None:
        click.echo(text, nl=False)
    else:
        write_atomically(Path(output), text)
    return 0 if changes.empty else 1


@cli.command()
@policy_option
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False, path_type=str),
              help="Folder to write the evidence package to (appears complete or not at all).")
@click.option("--force", is_flag=True, default=False,
              help="Replace an existing folder (atomically).")
@click.option("--snapshot", "snapshot_path", default=None,
              type=click.Path(dir_okay=False, path_type=str),
              help="Read the configuration from a saved snapshot instead of the API; incidents "
                   "and audit records are then not read (those sections are skipped).")
@api_options
def evidence(policy_path: str, output: str, force: bool, snapshot_path: str | None,
             api: ApiOptions) -> None:
    """Write the audit evidence package of a period: incident register, SLA and postmortem
    compliance, on-call coverage, configuration changes, drift, and an HTML report."""
    from pathlib import Path

    from pdlint.evidence import EvidenceRequest, write_evidence
    from pdlint.pagerduty.fetch import TerminalProgress

    if api.since is None or api.until is None:
        raise click.UsageError("evidence needs the audit period: --since DATE --until DATE")
    progress = None if api.quiet or not sys.stderr.isatty() else TerminalProgress(sys.stderr)
    request = EvidenceRequest(
        policy_paths=(policy_path,), since=api.since, until=api.until, output=Path(output),
        force=force, client_config=None if snapshot_path else client_config(api),
        snapshot=Path(snapshot_path) if snapshot_path else None, progress=progress)
    try:
        result = write_evidence(request)
    finally:
        if progress is not None:
            progress.finish()
    for skip in result.skipped:
        click.echo(f"pdlint: warning: {skip.rule} skipped: {skip.reason}", err=True)
    if not api.quiet:
        breaches = sum(item.breached for item in result.sla)
        click.echo(f"wrote {output}: {result.incidents} incidents, {breaches} SLA breaches; "
                   f"open {Path(output) / 'index.html'}", err=True)


@cli.group()
def sim() -> None:
    """A simulated PagerDuty account, served over HTTP on this machine."""


@sim.command("serve")
@click.option("--account", "account_name", type=click.Choice(["demo", "large"]), default="demo",
              show_default=True, help="The bundled demo account, or a large generated one.")
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default=True,
              help="Port on 127.0.0.1 (0 picks a free one).")
@click.option("--token", default="sim-token", show_default=True,
              help="The API token the simulator accepts (a simulator secret, not a real key).")
@click.option("--latency-ms", type=click.IntRange(min=0), default=0, show_default=True,
              help="Delay added to every answer.")
@click.option("--fault", "fault_specs", multiple=True, metavar="NAME[=ARG]",
              help="Inject a fault, e.g. error_rate=0.05, forbidden=/audit/records:402, "
                   "drop_connection=path:/users,requests:2 (repeatable).")
@click.option("--rate-limit", type=click.IntRange(min=1), default=None,
              help="Requests per minute per token before 429 (PagerDuty's is 960).")
def sim_serve(
    account_name: str, port: int, token: str, latency_ms: int, fault_specs: tuple[str, ...],
    rate_limit: int | None,
) -> None:
    """Serve until interrupted; the first line printed is the base URL."""
    from pdlint.sim import SimServer, demo_account, generated_account, parse_fault_options

    try:
        faults = parse_fault_options(fault_specs, rate_limit)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--fault") from error
    account = demo_account() if account_name == "demo" else generated_account()
    try:
        server = SimServer(account, token=token, latency_ms=latency_ms, faults=faults, port=port)
    except OSError as error:
        message = f"cannot listen on 127.0.0.1:{port}: {error.strerror}"
        raise click.ClickException(message) from error
    click.echo(server.base_url)
    sys.stdout.flush()
    click.echo(f"Serving the {account_name} account; token {token!r}. Ctrl-C stops.", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("Stopped.", err=True)
