"""The one error type the CLI turns into a clean one-line message and exit code 2."""


class UserError(Exception):
    """Bad input from the user (a path, a problem, a field): shown as one line, no traceback."""
