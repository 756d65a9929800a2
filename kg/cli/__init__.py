"""The ``stskg`` command line: a thin layer over the core, like ``api``.

Exit codes: 0 success; 2 a user error or a store failure, reported in one line on stderr;
``validate`` exits 1 when there are findings at or above ``--fail-on``.
"""

from kg.cli import analyses, imports, models, serve, validation  # noqa: F401  (each module registers its commands)
from kg.cli.base import cli

__all__ = ["cli", "main"]


def main() -> None:
    cli(prog_name="stskg")
