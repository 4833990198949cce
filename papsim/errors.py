"""Errors that reach the user as one line and an exit code."""


class InputError(ValueError):
    """Bad user input (a scenario, experiment spec or command-line value).

    The message is one line that names the file, the key and what is allowed; the CLI prints it and
    exits with code 2.
    """


class ClusterLost(RuntimeError):
    """The Dask cluster a sweep runs on is gone (its scheduler, or every worker for a while).

    The message is one line saying what was lost and how to continue; the runs finished before are stored,
    and the CLI exits with code 1.
    """
