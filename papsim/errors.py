"""Errors that reach the user as one line and an exit code."""


class InputError(ValueError):
    """Bad user input (a scenario, experiment spec or command-line value).

    The message is one line that names the file, the key and what is allowed; the CLI prints it and
    exits with code 2.
    """
