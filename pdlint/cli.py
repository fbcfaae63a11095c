"""The command line: parse options, call one function, pick a reporter, exit.

Heavy rooms (the HTTP client, deepdiff, the simulator) are imported inside the commands that need
them, so ``pdlint lint`` as a pre-commit hook starts fast and never loads network code.
"""

from __future__ import annotations

import functools
import gc
import inspect
import logging
import os
import re
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from time import monotonic
from typing import TYPE_CHECKING, Any, TypeVar

import click
from click.core import ParameterSource

from pdlint import __version__
from pdlint.collector import GC_THRESHOLDS
from pdlint.config import (
    FAIL_ON,
    REGIONS,
    SKIPS,
    Settings,
    SettingsError,
    Skips,
    UnknownSkip,
    find_settings,
)
from pdlint.errors import PdlintError, what_was_read
from pdlint.findings import Severity, counted
from pdlint.isotime import parse_datetime
from pdlint.progress import terminal_progress
from pdlint.report import FORMATS as REPORT_FORMATS

if TYPE_CHECKING:
    from pdlint.findings import Report, Skipped
    from pdlint.pagerduty.settings import ClientConfig
    from pdlint.pagerduty.state import LiveState, Window
    from pdlint.policy.model import Policy
    from pdlint.rule import Rule

F = TypeVar("F", bound=Callable[..., Any])

STARTED = "pdlint.started"
"""Where the command's start (``time.monotonic``) is kept in click's context, for reports that
say how long the run took."""


OUTPUT_FILE = click.Path(dir_okay=False, allow_dash=True, path_type=str)
"""A file to write, or ``-`` for standard output."""


def output_folder(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """A folder to write: ``-`` (standard output elsewhere) cannot be one."""
    if value == "-":
        raise click.BadParameter("a folder of files is written here, which standard output (-) "
                                 "cannot hold")
    return value


def policy_option(command: F) -> F:
    return click.option(
        "--policy", "policy_path", default="policy", show_default=True,
        type=click.Path(path_type=str), help="Policy file or folder of policy files.",
        callback=checked_policy_setting,
    )(command)


def checked_policy_setting(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """``--policy``, checked where the project's settings gave it (see ``existing_setting``)."""
    from_settings = ctx.get_parameter_source(param.name or "") is ParameterSource.DEFAULT_MAP
    return existing_setting(value) if from_settings else value


def existing_setting(policy: str) -> str:
    """The policy path the project's settings give, if it exists; otherwise an error naming
    the settings file, where the mistake is to be mended."""
    if not os.path.exists(policy):
        raise SettingsError(f"{project_settings().source}: policy names "
                            f"{os.path.abspath(policy)}, which does not exist")
    return policy


def report_options(command: F) -> F:
    command = click.option(
        "--fail-on", type=click.Choice(FAIL_ON), default="error", show_default=True,
        help="Lowest severity that makes the run exit 1.",
    )(command)
    command = click.option(
        "-o", "--output", type=OUTPUT_FILE, default=None,
        help="Write the report to FILE (replaced atomically) instead of standard output.",
    )(command)
    return click.option(
        "--format", "output_format", type=click.Choice(REPORT_FORMATS), default="text",
        show_default=True, help="Report format.",
    )(command)


class SkipName(click.ParamType):  # type: ignore[type-arg]  # generic only in newer click
    """A skip the command can report (``config.Skips``), as the skip names it accepts."""

    name = "name"

    def __init__(self, skips: Skips) -> None:
        self.skips = skips

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> tuple[str, ...]:
        if isinstance(value, tuple):
            return value
        try:
            return self.skips.accepted(value)
        except UnknownSkip as error:
            self.fail(str(error), param, ctx)


def accept_skip_option(command_name: str) -> Callable[[F], F]:
    """``--accept-skip`` of the command: what it can skip, its help listing those only."""
    skips = SKIPS[command_name]

    def flattened(ctx: click.Context, param: click.Parameter,
                  value: tuple[tuple[str, ...], ...]) -> tuple[str, ...]:
        return tuple(dict.fromkeys(name for names in value for name in names))

    def decorate(command: F) -> F:
        return click.option(
            "--accept-skip", "accepted_skips", multiple=True, metavar="NAME",
            type=SkipName(skips), callback=flattened,
            help="A skip this account cannot avoid, accepted: it is still reported but no "
                 f"longer exits 2 (repeatable): {skips.described()}.",
        )(command)

    return decorate


INCOMPLETE = 2
"""The exit code of a run that could not see all it was asked to check (docs/ci.md)."""


def refused_as_incomplete(skipped: Sequence[Skipped], accepted: Sequence[str]) -> bool:
    """Whether ``skipped`` holds a skip the user did not accept by name, said on standard error:
    a run that could not see part of the account must not pass."""
    unaccepted = sorted({skip.rule for skip in skipped} - set(accepted),
                        key=[skip.rule for skip in skipped].index)
    if not unaccepted:
        return False
    click.echo(f"pdlint: error: incomplete: {', '.join(unaccepted)} could not be read or "
               "checked (see the skipped list); if this account cannot give "
               f"{'it' if len(unaccepted) == 1 else 'them'}, accept by name: "
               + " ".join(f"--accept-skip {name}" for name in unaccepted), err=True)
    return True


class Moment(click.ParamType):  # type: ignore[type-arg]  # generic only in newer click
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
            moment = parse_datetime(text)
        except OverflowError:  # the day after 9999-12-31
            self.fail(f"{text!r} is past the end of the calendar", param, ctx)
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
    retry_budget: float | None = None


def api_options(command: F, *, period: bool = False) -> F:
    """Add the shared PagerDuty options; the command receives them as one ``api: ApiOptions``.
    With ``period``, ``--since`` and ``--until`` are required: they name the period measured.

    The token comes from ``--token-file`` or ``PAGERDUTY_API_TOKEN``, never from an argument
    (it would show in ``ps`` and shell history).
    """

    @functools.wraps(command)
    def with_api(*args: Any, api_url: str | None, region: str | None, token_file: str | None,
                 since: datetime | None, until: datetime | None, quiet: bool,
                 retry_budget: float | None, **kwargs: Any) -> Any:
        api = ApiOptions(api_url, region, token_file, since, until, quiet, retry_budget)
        show_client_messages(quiet=quiet)
        return command(*args, api=api, **kwargs)

    options = (
        click.option("--api-url", default=None, metavar="URL",
                     help="PagerDuty REST API base URL [default: $PAGERDUTY_API_URL, else "
                          "https://api.pagerduty.com]."),
        click.option("--region", type=click.Choice(REGIONS), default=None,
                     help="PagerDuty service region; eu means https://api.eu.pagerduty.com."),
        click.option("--token-file", type=click.Path(dir_okay=False, path_type=str),
                     default=None, help="File holding the API token [default: "
                                        "$PAGERDUTY_API_TOKEN]. A read-only key is enough."),
        click.option("--since", type=Moment(), required=period,
                     help="Start of the " + ("period (ISO 8601; UTC unless a zone is given)."
                                             if period else "time window (ISO 8601; UTC unless "
                                             "a zone is given) [default: now, or 30 days "
                                             "before --until].")),
        click.option("--until", type=Moment(end_of_day=True), required=period,
                     help="End of the " + ("period" if period else "time window")
                          + "; a bare date includes that day"
                          + ("." if period else " [default: 30 days after --since].")),
        click.option("--quiet", "-q", is_flag=True, default=False,
                     help="No progress output."),
        click.option("--retry-budget", type=click.FloatRange(min=1), default=None,
                     metavar="SECONDS",
                     help="How long one request may keep retrying a failing API before the run "
                          "ends in exit 2 [default: 180]; see docs/ci.md for how long a run can "
                          "take."),
    )
    for option in reversed(options):
        with_api = option(with_api)
    return with_api  # type: ignore[return-value]


def period_options(command: F) -> F:
    """``api_options`` with a required ``--since``/``--until`` period."""
    return api_options(command, period=True)


class _ToStandardError(logging.Handler):
    """Log records as lines on standard error, wherever click sends it at the time."""

    def emit(self, record: logging.LogRecord) -> None:
        click.echo(self.format(record), err=True)


def show_client_messages(*, quiet: bool) -> None:
    """Show the client's messages on standard error: its warnings always, its retries (logged at
    INFO) unless ``quiet``."""
    level = logging.WARNING if quiet else logging.INFO
    logger = logging.getLogger("pdlint")
    handler = next((handler for handler in logger.handlers
                    if isinstance(handler, _ToStandardError)), None)
    if handler is None:
        handler = _ToStandardError()
        logger.addHandler(handler)
    handler.setLevel(level)  # debug records of a logger set lower (for a trace) stay off screen
    logger.setLevel(level)


def client_config(api: ApiOptions) -> ClientConfig:
    """The client configuration the options describe; ``ConfigurationError`` (exit 2) if not."""
    from pdlint.pagerduty.settings import resolve_client_config

    config = resolve_client_config(api_url=api.api_url, region=api.region,
                                   token_file=api.token_file,
                                   region_setting=project_settings().region)
    return config if api.retry_budget is None else replace(config,
                                                            retry_budget=api.retry_budget)


def project_settings() -> Settings:
    """The project's settings (``pdlint.config``), as ``main`` found them."""
    return click.get_current_context().find_object(Settings) or Settings()


def this_minute() -> datetime:
    """Now, to the minute: windows start here so that reruns render schedules alike."""
    return datetime.now(timezone.utc).replace(second=0, microsecond=0)


def api_window(api: ApiOptions) -> Window:
    """The ``--since``/``--until`` window (``Window.asked``), starting now when neither is given
    (to the minute, so that reruns render alike); its errors worded as those options'."""
    from pdlint.pagerduty.state import ReversedWindow, Window, format_utc

    try:
        return Window.asked(api.since, api.until, this_minute())
    except ReversedWindow as error:
        bare_date = error.until.time() == time()  # as a date alone as --until reads
        raise click.UsageError(f"--until {format_utc(error.until)} is not after --since "
                               f"{format_utc(error.since)}" + (" (a date alone as --until means "
                                                               "the end of that day)"
                                                               if bare_date else "")) from None
    except ValueError as error:
        raise click.UsageError(f"--since/--until: {error}") from None


def write_output(text: str, output: str | None) -> None:
    """Print ``text`` (no ``output``, or ``-``), or replace the file ``output`` with it
    atomically."""
    if output in (None, "-"):
        click.echo(text, nl=False)
        return
    from pdlint.files import write_atomically

    write_atomically(Path(output), text)


def emit(report: Report, output_format: str, output: str | None, fail_on: str, *,
         rules: Sequence[Rule], title: str, accepted: Sequence[str] = ()) -> int:
    """Render the report, write it, and return the exit code the contract gives it: 2 when a
    check was skipped that ``accepted`` does not name, else 1 for findings at ``fail_on``."""
    from pdlint.report import render

    color = (output_format == "text" and output in (None, "-") and sys.stdout.isatty()
             and "NO_COLOR" not in os.environ)
    started = click.get_current_context().meta.get(STARTED)
    elapsed = monotonic() - started if started is not None else None
    write_output(render(report, output_format, rules=rules, title=title, color=color,
                        elapsed=elapsed), output)
    if refused_as_incomplete(report.skipped, accepted):
        return INCOMPLETE
    threshold = None if fail_on == "never" else Severity(fail_on)
    return 1 if replace(report, skipped=()).fails(threshold) else 0


def selected_rules(only: tuple[str, ...], skip: tuple[str, ...]) -> tuple[Rule, ...]:
    """The drift rules ``--rule``/``--skip-rule`` leave to run (``rules.selection``), their
    errors worded as those options'."""
    from pdlint.rules.selection import NothingLeft, UnknownRule, select_rules

    try:
        return select_rules(only, skip)
    except UnknownRule as error:
        raise click.BadParameter(str(error), param_hint="--skip-rule" if error.skipping
                                 else "--rule") from None
    except NothingLeft:
        raise click.UsageError("--skip-rule leaves no rule of --rule to run") from None


def check_drift(policy_path: str, policy: Policy, state: LiveState, rules: Sequence[Rule],
                output_format: str, output: str | None, fail_on: str,
                record: str | None = None, accepted: Sequence[str] = ()) -> int:
    """Run the drift rules and report (and with ``record``, add the JSON report to that history
    folder); waivers expire by the day the state was read, so a snapshot gives the findings of
    the run that saved it."""
    from pdlint.findings import Checked
    from pdlint.pagerduty.model import parse_account
    from pdlint.pagerduty.state import account_subdomain
    from pdlint.provenance import policy_identity
    from pdlint.rule import unchecked
    from pdlint.rules.engine import drift as drift_check

    report = drift_check(policy, parse_account(state), state.fetched_at.date(), rules)
    report = replace(report, checked=Checked(
        state.fetched_at, state.api_url, account_subdomain(state),
        policy_identity(policy_path, policy.files), tuple(each.id for each in rules),
        unchecked(rules, report.skipped)))
    code = emit(report, output_format, output, fail_on, rules=rules, title="pdlint drift",
                accepted=accepted)
    if record is not None:
        from pdlint.history.record import record_report

        click.echo(f"recorded {record_report(Path(record), report)}", err=True)
    return code


class SettingsCommand(click.Command):
    """A command the project's settings apply to. Settings that cannot be read stop it as it
    starts, after its options are parsed: its ``--help``, the way to read how to mend them,
    still shows, and commands no setting applies to (plain ``click.Command``s) still run."""

    def invoke(self, ctx: click.Context) -> Any:
        unreadable = ctx.find_object(SettingsError)
        if unreadable is not None:
            raise unreadable
        return super().invoke(ctx)


def worded(error: PdlintError) -> str:
    """The error's message, the settings it names (in the library's words) worded as this
    command line's options."""
    from pdlint.files import AlreadyThere
    from pdlint.init import PolicyFilesThere
    from pdlint.pagerduty.errors import AuthenticationError
    from pdlint.pagerduty.settings import TOKEN_ENV, ConflictingLocation, EmptyApiUrl, MissingToken

    if isinstance(error, MissingToken):
        return f"no API token: set {TOKEN_ENV} or pass --token-file (a read-only key is enough)"
    if isinstance(error, EmptyApiUrl):
        return "--api-url is empty; give the API's URL, or leave the option out"
    if isinstance(error, ConflictingLocation):
        return f"--api-url {error.api_url} and --region {error.region} disagree; give one"
    if isinstance(error, PolicyFilesThere):
        return (f"{error.where} already holds policy files ({', '.join(error.names)}); pass "
                "--force to write beside them, replacing those of the same names")
    if isinstance(error, AlreadyThere):
        held = (f"already holds {', '.join(error.names)}; pass --force to replace them"
                if error.names else "already exists; pass --force to replace it")
        return f"{error.where} {held}"
    if isinstance(error, AuthenticationError) and error.detail is None:
        return error.worded(f"the token was refused; check {TOKEN_ENV} or --token-file, and the "
                            "service region (--region)")
    return str(error)


DEBUG_VARIABLE = "PDLINT_DEBUG"


def debugging(arguments: Sequence[str]) -> bool:
    """Whether a crash shows its traceback: ``--debug`` before the command, or PDLINT_DEBUG=1."""
    return os.environ.get(DEBUG_VARIABLE, "") not in ("", "0") or "--debug" in arguments


def main() -> None:
    """Entry point: run the click group; pdlint's own errors, and as a last line of defence any
    other exception, end in exit code 2 with one line (a crash is not a finding)."""
    gc.set_threshold(*GC_THRESHOLDS)
    arguments = sys.argv[1:]
    try:
        code = cli.main(args=arguments, standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(2)
    except click.ClickException as error:
        error.show()
        sys.exit(2)
    except PdlintError as error:
        click.echo(f"pdlint: error: {worded(error)}", err=True)
        sys.exit(error.exit_code)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(130)
    except Exception as error:  # the last line of defence: a crash is not a finding
        shown = debugging(arguments)
        if shown:  # the whole traceback, but still exit 2, never the findings' 1
            traceback.print_exc()
        crashed(error, arguments, traceback_shown=shown)
        sys.exit(2)
    sys.exit(code if isinstance(code, int) else 0)


def crashed(error: Exception, arguments: Sequence[str], *, traceback_shown: bool = False,
            ) -> None:
    """Say in one line that pdlint failed unexpectedly, where, and how to report it."""
    command = next((argument for argument in arguments if not argument.startswith("-")), "")
    where = what_was_read(error)
    place = f"while reading {where}" if where else f"in `pdlint {command}`"
    click.echo(f"pdlint: error: unexpected {type(error).__name__} {place}: {error}; this is a "
               f"bug in pdlint {__version__}: please report it to pdlint's maintainers with this "
               "line and the traceback " + ("above" if traceback_shown else
                                            f"that {DEBUG_VARIABLE}=1 (or --debug) shows"),
               err=True)


class Commands(click.Group):
    """A command group whose ``--help`` gives each command's first sentence whole: click would
    cut a summary that does not fit the terminal with "...", mid-phrase."""

    group_class = type  # subgroups (``pdlint sim``) summarise their commands the same way

    def add_command(self, cmd: click.Command, name: str | None = None) -> None:
        if cmd.short_help is None and cmd.help:
            first_paragraph = " ".join(inspect.cleandoc(cmd.help).split("\n\n", 1)[0].split())
            cmd.short_help = re.split(r"(?<=\.)\s", first_paragraph, maxsplit=1)[0]
        super().add_command(cmd, name)


@click.group(cls=Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pdlint")
@click.option("--debug", is_flag=True, expose_value=False,
              help=f"Show the traceback of an unexpected error (or set {DEBUG_VARIABLE}=1).")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Check that a PagerDuty account does what the written incident-response policy says."""
    ctx.meta[STARTED] = monotonic()
    try:  # before the command's options are parsed: their defaults come from the settings
        settings = find_settings(Path("."))
    except SettingsError as error:
        ctx.obj = error  # raised by the command if it is a SettingsCommand
        return
    ctx.obj = settings
    ctx.default_map = settings.option_defaults()


@cli.command(cls=SettingsCommand)
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("--policy", "policy_paths", multiple=True, metavar="PATH",
              type=click.Path(path_type=str),
              help="Policy file or folder of policy files (repeatable), as drift and evidence "
                   "take it; the same as naming it as an argument.")
@report_options
def lint(paths: tuple[str, ...], policy_paths: tuple[str, ...], output_format: str,
         output: str | None, fail_on: str) -> int:
    """Check the policy files offline (default: the project's policy setting, else the policy/
    folder). Fast; no network."""
    from pdlint.rule import Mode
    from pdlint.rules.lint import lint_paths
    from pdlint.rules.registry import rules_for

    setting = project_settings().policy
    given = paths + policy_paths
    report = lint_paths(given or (existing_setting(setting) if setting else "policy",))
    return emit(report, output_format, output, fail_on, rules=rules_for(Mode.LINT),
                title="pdlint lint")


@cli.command()
@click.option("--format", "output_format", type=click.Choice(("text", "markdown")),
              default="text", show_default=True,
              help="A table, or the Markdown page published as docs/rules.md.")
@click.option("-o", "--output", type=OUTPUT_FILE, default=None,
              help="Write the catalogue to FILE instead of standard output.")
def rules(output_format: str, output: str | None) -> None:
    """List every rule: id, name, severity, when it runs, SOC 2 criterion, and title."""
    from pdlint.report.catalogue import render_catalogue
    from pdlint.rules.registry import catalogue

    write_output(render_catalogue(catalogue(), output_format), output)


@cli.command(cls=SettingsCommand)
@policy_option
@click.option("--snapshot", "snapshot_path", default=None,
              type=click.Path(dir_okay=False, path_type=str),
              help="Check a snapshot saved by `pdlint snapshot` instead of the live account.")
@click.option("--rule", "only", multiple=True, metavar="RULE",
              help="Run only this rule (id or name; repeatable).")
@click.option("--skip-rule", "skip", multiple=True, metavar="RULE",
              help="Do not run this rule (id or name; repeatable).")
@click.option("--record", default=None, metavar="DIR",
              type=click.Path(file_okay=False, path_type=str), callback=output_folder,
              help="Also add the JSON report to the drift history in DIR, one new file a run "
                   "with its history record (see `pdlint history`).")
@accept_skip_option("drift")
@report_options
@api_options
def drift(policy_path: str, snapshot_path: str | None, only: tuple[str, ...],
          skip: tuple[str, ...], record: str | None, accepted_skips: tuple[str, ...],
          output_format: str, output: str | None, fail_on: str, api: ApiOptions) -> int:
    """Compare the policy with the live PagerDuty account (read-only) and report every drift."""
    from pdlint.pagerduty.fetch import fetch_state_alongside
    from pdlint.pagerduty.snapshot import load_snapshot
    from pdlint.rules.lint import checked_policy
    from pdlint.rules.scope import wanted

    chosen = selected_rules(only, skip)
    if snapshot_path is not None:
        policy, state = checked_policy((policy_path,)), load_snapshot(snapshot_path)
    else:
        with terminal_progress(quiet=api.quiet) as progress:
            policy, state = fetch_state_alongside(client_config(api), api_window(api),
                                                  lambda: checked_policy((policy_path,)),
                                                  progress=progress, wanted_of=wanted)
    return check_drift(policy_path, policy, state, chosen, output_format, output, fail_on,
                       record, accepted_skips)


@cli.command(cls=SettingsCommand)
@click.argument("service")
@policy_option
@click.option("--severity", "severity_id", default=None, metavar="ID",
              help="The documented severity (e.g. P1) [default: the most severe high-urgency "
                   "one].")
@click.option("--at", "moment", type=Moment(), default=None,
              help="The moment of the trigger (ISO 8601; UTC unless a zone is given) "
                   "[default: now, or --since].")
@click.option("--snapshot", "snapshot_path", default=None,
              type=click.Path(dir_okay=False, path_type=str),
              help="Read a snapshot saved by `pdlint snapshot` instead of the live account.")
@click.option("--format", "output_format", type=click.Choice(("text", "json")), default="text",
              show_default=True, help="Output format.")
@click.option("-o", "--output", type=OUTPUT_FILE, default=None,
              help="Write to FILE (replaced atomically) instead of standard output.")
@api_options
def paging(service: str, policy_path: str, severity_id: str | None, moment: datetime | None,
           snapshot_path: str | None, output_format: str, output: str | None,
           api: ApiOptions) -> int:
    """Explain the paging path of SERVICE at one moment: had an incident of the severity been
    triggered then, level by level who is on call, which contact method rings at which minute,
    and whether someone is phoned or texted in time (read-only).

    Exit 0 when someone is phoned or texted within the severity's deadline (or, for a severity
    without one, the path was read to its end), 1 when not (late, never, no incident), 2 when
    what decides it could not be read."""
    import json

    from pdlint.pagerduty.model import parse_account
    from pdlint.paging.explain import answer, answer_json, answer_text, wanted_for
    from pdlint.paging.path import Verdict
    from pdlint.rules.lint import checked_policy

    moment_window = paging_window(moment) if moment is not None else None
    if snapshot_path is not None:
        from pdlint.pagerduty.snapshot import load_snapshot

        policy, state = checked_policy((policy_path,)), load_snapshot(snapshot_path)
    else:
        from pdlint.pagerduty.fetch import fetch_state_alongside

        window = (api_window(api) if api.since or api.until
                  else moment_window or paging_window(this_minute()))
        with terminal_progress(quiet=api.quiet) as progress:
            policy, state = fetch_state_alongside(
                client_config(api), window, lambda: checked_policy((policy_path,)),
                progress=progress, wanted_of=lambda policy: wanted_for(policy, service))
    found = answer(policy, parse_account(state), service, severity_id,
                   moment or state.window.since)
    write_output(answer_text(found) if output_format == "text"
                 else json.dumps(answer_json(found), indent=2) + "\n", output)
    if found.unread is not None:
        click.echo(f"pdlint: error: incomplete: the paging path could not be read: "
                   f"{found.unread}", err=True)
        return INCOMPLETE
    return 0 if found.verdict in (None, Verdict.MET) else 1


PAGING_HORIZON = timedelta(days=1)
"""How far past --at the schedules are rendered for `pdlint paging`: every level of a policy
that loops is engaged within a day."""


def paging_window(moment: datetime) -> Window:
    """The day from ``moment`` (``--at``) whose schedules `pdlint paging` renders; a moment
    outside the calendar pdlint reads is an error of that option, not a crash, whether the
    account is read live, for other dates (--since) or from a snapshot."""
    from pdlint.pagerduty.state import Window, format_utc

    try:
        return Window.starting(moment, PAGING_HORIZON)
    except ValueError as error:
        raise click.BadParameter(f"{format_utc(moment)}: {error}", param_hint="--at") from None


@cli.command()
@report_options
@click.option("--quiet", "-q", is_flag=True, default=False, help="No progress output.")
def demo(output_format: str, output: str | None, fail_on: str, quiet: bool) -> int:
    """Run the drift check of the bundled example policy against a simulated account.

    The simulator serves a demo PagerDuty account on a free loopback port for the length of the
    run; pdlint reads it over HTTP exactly as it reads PagerDuty. No token or network needed.
    """
    from importlib.resources import as_file, files

    from pdlint.pagerduty.fetch import fetch_state_sync
    from pdlint.pagerduty.settings import ApiToken, ClientConfig
    from pdlint.pagerduty.state import Window
    from pdlint.rule import Mode
    from pdlint.rules.lint import checked_policy
    from pdlint.rules.registry import rules_for
    from pdlint.rules.scope import wanted
    from pdlint.sim import SimServer, demo_account

    token = "pdlint-demo"
    with as_file(files("pdlint") / "example_policy") as policy_path, \
            SimServer(demo_account(), token=token) as server:
        if not quiet:
            click.echo(f"pdlint demo: a simulated PagerDuty account is serving at "
                       f"{server.base_url}; checking the example policy in {policy_path} "
                       "against it.\n", err=True)
        policy = checked_policy((policy_path,))
        config = ClientConfig(api_url=server.base_url, token=ApiToken(token))
        with terminal_progress(quiet=quiet) as progress:
            state = fetch_state_sync(config, Window.starting(this_minute()), progress=progress,
                                     wanted=wanted(policy))
    return check_drift(str(policy_path), policy, state, rules_for(Mode.DRIFT), output_format,
                       output, fail_on)


@cli.command(cls=SettingsCommand)
@click.option("-o", "--output", required=True, type=OUTPUT_FILE,
              help="Snapshot file to write (replaced atomically), or - for standard output.")
@click.option("--no-redact", is_flag=True, default=False,
              help="Keep contact-method addresses (phone numbers, emails); the file is then "
                   "readable by its owner only.")
@accept_skip_option("snapshot")
@api_options
def snapshot(output: str, no_redact: bool, accepted_skips: tuple[str, ...],
             api: ApiOptions) -> int:
    """Save the live account as a JSON snapshot, for `drift --snapshot` and `diff`.

    A snapshot serves any policy, so it holds every service's event orchestration: one request
    per service, which `drift` spends on the documented services only."""
    from pdlint.pagerduty.fetch import fetch_state_sync
    from pdlint.pagerduty.snapshot import snapshot_text, write_snapshot

    with terminal_progress(quiet=api.quiet) as progress:
        state = fetch_state_sync(client_config(api), api_window(api), progress=progress)
    if output == "-":
        write_output(snapshot_text(state, redact_addresses=not no_redact)[1], output)
    else:
        write_snapshot(state, output, redact_addresses=not no_redact)
    for skip in state.skipped:
        click.echo(f"pdlint: warning: {skip.rule} not read: {skip.reason}", err=True)
    if not api.quiet:
        counts = ", ".join(f"{len(items)} {kind.replace('_', ' ')}"
                           for kind, items in state.objects.items())
        click.echo(f"wrote {'the snapshot' if output == '-' else output}: {counts}", err=True)
    return INCOMPLETE if refused_as_incomplete(state.skipped, accepted_skips) else 0


@cli.command(cls=SettingsCommand)
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False, path_type=str),
              callback=output_folder,
              help="Folder to write the policy files to (created if needed, in a folder that "
                   "exists; every file appears or none does).")
@click.option("--force", is_flag=True, default=False,
              help="Write into a folder that already holds policy files, replacing those of the "
                   "same names.")
@click.option("--organisation", default=None, metavar="NAME",
              help="The organisation's name [default: the account's subdomain].")
@click.option("--time-zone", default=None, metavar="ZONE",
              help="The organisation's IANA time zone [default: the most common time zone of "
                   "the account's schedules].")
@click.option("--team", "teams", multiple=True, metavar="NAME",
              help="Scope the policy to this PagerDuty team (repeatable): its services, the "
                   "escalation policies they use and the schedules those page are documented, "
                   "and the policy's scope section names the teams [default: the whole "
                   "account].")
@accept_skip_option("init")
@api_options
def init(output: str, force: bool, organisation: str | None, time_zone: str | None,
         teams: tuple[str, ...], accepted_skips: tuple[str, ...], api: ApiOptions) -> int:
    """Write a policy that documents the live account as it is today, ready to review."""
    from pdlint.init import InitRequest, write_draft
    from pdlint.zones import zone_named

    if time_zone is not None and zone_named(time_zone) is None:
        raise click.BadParameter(f"{time_zone!r} is not an IANA time zone such as "
                                 "America/New_York", param_hint="--time-zone")
    with terminal_progress(quiet=api.quiet) as progress:
        drafted = write_draft(InitRequest(
            folder=Path(output), force=force, organisation=organisation, time_zone=time_zone,
            teams=teams, client_config=client_config(api), window=api_window(api),
            progress=progress))
    for skip in drafted.skipped:
        click.echo(f"pdlint: warning: {skip.rule} not read: {skip.reason}", err=True)
    if drafted.others:
        click.echo(f"pdlint: warning: {output} also holds {', '.join(drafted.others)}, which "
                   "pdlint reads together with the new files", err=True)
    if not api.quiet:
        click.echo(f"wrote {', '.join(drafted.files)} in {output}: review each \"Review:\" "
                   f"comment, then check with `pdlint lint {output}`", err=True)
    return INCOMPLETE if refused_as_incomplete(drafted.skipped, accepted_skips) else 0


@cli.command()
@click.argument("old", type=click.Path(dir_okay=False, path_type=str))
@click.argument("new", type=click.Path(dir_okay=False, path_type=str))
@click.option("--format", "output_format", type=click.Choice(("text", "json")), default="text",
              show_default=True, help="Output format.")
@click.option("-o", "--output", type=OUTPUT_FILE, default=None,
              help="Write to FILE instead of standard output.")
@accept_skip_option("diff")
def diff(old: str, new: str, output_format: str, output: str | None,
         accepted_skips: tuple[str, ...]) -> int:
    """Show what changed between two snapshots; exit 1 when something did, like diff(1), and
    2 when a collection a snapshot could not read was not compared, unless accepted."""
    from pdlint.pagerduty.diff import diff_states, render_diff_json, render_diff_text
    from pdlint.pagerduty.snapshot import load_snapshot

    changes = diff_states(load_snapshot(old), load_snapshot(new))
    write_output(render_diff_json(changes) if output_format == "json"
                 else render_diff_text(changes), output)
    if refused_as_incomplete(changes.skipped, accepted_skips):
        return INCOMPLETE
    return 0 if changes.empty else 1


@cli.command(cls=SettingsCommand)
@policy_option
@click.option("-o", "--output", required=True, type=click.Path(file_okay=False, path_type=str),
              callback=output_folder,
              help="Folder to write the evidence package to (appears complete or not at all).")
@click.option("--force", is_flag=True, default=False,
              help="Replace an existing folder (atomically).")
@click.option("--snapshot", "snapshot_path", default=None,
              type=click.Path(dir_okay=False, path_type=str),
              help="Read the configuration from a saved snapshot instead of the API; incidents "
                   "and audit records are then not read (those sections are skipped).")
@click.option("--history", "history_path", default=None, metavar="DIR",
              type=click.Path(exists=True, file_okay=False, path_type=str),
              help="A folder of drift reports kept by `pdlint drift --record`: adds when each "
                   "drift opened and closed, and how much of the period was monitored.")
@accept_skip_option("evidence")
@period_options
def evidence(policy_path: str, output: str, force: bool, snapshot_path: str | None,
             history_path: str | None, accepted_skips: tuple[str, ...], api: ApiOptions) -> int:
    """Write the audit evidence package of a period: incident register, SLA and postmortem
    compliance, on-call coverage, configuration changes, drift, and an HTML report."""
    from pdlint.evidence import EvidenceRequest, write_evidence

    period = api_window(api)  # both ends given: checked, not defaulted
    with terminal_progress(quiet=api.quiet) as progress:
        result = write_evidence(EvidenceRequest(
            policy_paths=(policy_path,), since=period.since, until=period.until,
            output=Path(output), force=force,
            client_config=None if snapshot_path else client_config(api),
            snapshot=Path(snapshot_path) if snapshot_path else None, progress=progress,
            history=Path(history_path) if history_path else None))
    for skip in result.skipped:
        click.echo(f"pdlint: warning: {skip.rule} skipped: {skip.reason}", err=True)
    if not api.quiet:
        breaches = sum(item.breached for item in result.sla)
        figures = ("incidents not measured" if result.incidents is None
                   else f"{counted(result.incidents, 'incident')}, "
                        f"{counted(breaches, 'SLA breach', 'SLA breaches')}")
        click.echo(f"wrote {output}: {figures}; open {Path(output) / 'index.html'}", err=True)
    return INCOMPLETE if refused_as_incomplete(result.skipped, accepted_skips) else 0


def stop_on_interrupt_or_terminate() -> None:
    """Make SIGINT (Ctrl-C) and SIGTERM stop the simulator. Python turns SIGINT into
    ``KeyboardInterrupt`` only if it was not ignored when the process started, and a shell
    starts background jobs (``pdlint sim serve &``, a test suite run with ``&``) with SIGINT
    ignored: such a simulator would never stop on Ctrl-C."""
    import signal

    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)


@cli.command(cls=SettingsCommand)
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=str))
@click.option("--format", "output_format", type=click.Choice(("text", "markdown")),
              default="text", show_default=True, help="Plain text, or Markdown for a chat or "
                                                      "a weekly report.")
@click.option("-o", "--output", type=OUTPUT_FILE, default=None,
              help="Write the summary to FILE instead of standard output.")
@accept_skip_option("history")
def history(folder: str, output_format: str, output: str | None,
            accepted_skips: tuple[str, ...]) -> int:
    """Summarise a drift history kept by `pdlint drift --record`: the drifts open at the last
    run and how long each has been open. Exits 1 when an error is open, and 2 when a file of
    the folder is not a drift report, the folder holds none, or the last run of an account
    skipped a check not accepted by name, as drift would (skipped is never passed)."""
    from pdlint.history.folder import read_history
    from pdlint.history.summary import errors_open, open_drifts, render_history

    recorded = read_history(Path(folder))
    opened = open_drifts(recorded)
    write_output(render_history(recorded, opened, markdown=output_format == "markdown"), output)
    for skipped in recorded.unreadable:
        click.echo(f"pdlint: warning: {skipped.name} skipped: {skipped.reason}", err=True)
    if not recorded.runs and not recorded.unreadable:
        click.echo(f"pdlint: error: no drift run is recorded in {folder} (pdlint drift "
                   "--record adds them)", err=True)
        return 2
    if recorded.unreadable:
        click.echo(f"pdlint: error: incomplete: "
                   f"{counted(len(recorded.unreadable), 'file')} of the history "
                   f"{'is' if len(recorded.unreadable) == 1 else 'are'} not a drift report "
                   "(named above)", err=True)
        return 2
    if refused_as_incomplete([skip for runs in recorded.streams().values()
                              for skip in runs[-1].skipped], accepted_skips):
        return INCOMPLETE
    return 1 if errors_open(opened) else 0


def sendable_token(ctx: click.Context, param: click.Parameter, value: str) -> str:
    """The simulator's token, if pdlint could send it (the client's own rule, ``ApiToken``)."""
    from pdlint.pagerduty.errors import ConfigurationError
    from pdlint.pagerduty.settings import ApiToken

    try:
        ApiToken(value)
    except ConfigurationError as error:
        raise click.BadParameter(f"pdlint could not send it: {error}") from None
    return value


@cli.group()
def sim() -> None:
    """A simulated PagerDuty account, served over HTTP on this machine."""


@sim.command("serve")
@click.option("--account", "account_name", type=click.Choice(["demo", "large"]), default="demo",
              show_default=True, help="The bundled demo account, or a large generated one.")
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default=True,
              help="Port on 127.0.0.1 (0 picks a free one).")
@click.option("--token", default="sim-token", show_default=True, callback=sendable_token,
              help="The API token the simulator accepts (a simulator secret, not a real key).")
@click.option("--latency-ms", type=click.IntRange(min=0), default=0, show_default=True,
              help="Delay added to every answer.")
@click.option("--fault", "fault_specs", multiple=True, metavar="NAME[=ARG]",
              help="Inject a fault, e.g. error_rate=0.05, forbidden=/audit/records:402, "
                   "drop_connection=path:/users,requests:2, "
                   "omit_field=path:/services,field:integrations, "
                   "omit_field=path:/maintenance_windows,field:services,id:PMW0001 (from that "
                   "object only) (repeatable).")
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
    try:
        # Before the URL is printed: whoever reads it may stop the simulator at once.
        stop_on_interrupt_or_terminate()
        click.echo(server.base_url)
        sys.stdout.flush()
        click.echo(f"Serving the {account_name} account; token {token!r}. Ctrl-C stops.",
                   err=True)
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("Stopped.", err=True)
