"""The errors that end a run with exit code 2; each room raises its own subclass."""


class PdlintError(Exception):
    """A failure the user can act on: the message says what and where, never a traceback."""

    exit_code = 2
