"""The `studio` command (commands.py) and its subcommands (data, jobs, evaluate)."""

from studio.cli.commands import main

__all__ = ["main"]
