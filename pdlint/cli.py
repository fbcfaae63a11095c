"""The command line: parse options, call one function, pick a reporter, exit.

Heavy rooms (the HTTP client, deepdiff, the simulator) are imported inside the commands that need
them, so ``pdlint lint`` as a pre-commit hook starts fast and never loads network code.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from pdlint import __version__
from pdlint.errors import PdlintError

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
