"""Error types shared by the harness modules."""


class InputError(Exception):
    """Bad user input (suite file, CLI argument). The CLI prints it and exits with status 2
    before writing anything."""


class EnvironmentProblem(Exception):
    """The environment cannot run the benchmark (build failed, mdsim unusable, matplotlib
    missing). The CLI prints it and exits with status 1."""
