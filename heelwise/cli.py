"""The ``heelwise`` console script.

Each sub-command lives in the package that owns it and exposes two functions:
``add_arguments(parser: argparse.ArgumentParser) -> None`` and ``run(args) -> int``.
Modules are imported only when their command runs, so ``heelwise --help`` stays fast and the
pure-Python commands (``assess``, ``evaluate``, ``runs parse``) never load Django.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Command:
    name: str
    module: str
    help: str


COMMANDS: tuple[Command, ...] = (
    Command(
        "assess", "heelwise.clinical.cli_assess", "assess one JSON request or a JSON Lines batch"
    ),
    Command("evaluate", "heelwise.clinical.cli_evaluate", "score the engine on a vignette set"),
    Command("kb", "heelwise.clinical.cli_kb", "validate and summarise the clinical knowledge base"),
)

RUNS_COMMANDS: tuple[Command, ...] = (
    Command("parse", "heelwise.parsers.cli", "parse FIT/GPX/TCX files (or .gz) without storing"),
    Command("import", "heelwise.runlog.cli_import", "parse and store activity files for a user"),
)


def _add(subparsers: argparse._SubParsersAction[argparse.ArgumentParser], cmd: Command) -> None:
    parser = subparsers.add_parser(cmd.name, help=cmd.help, description=cmd.help)
    parser.set_defaults(_module=cmd.module)
    # Arguments are added lazily in main() once we know which command runs.


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="heelwise",
        description="Heelwise command line: clinical engine, activity files and clinic tools.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for cmd in COMMANDS:
        _add(sub, cmd)
    runs = sub.add_parser(
        "runs", help="activity files: parse, import", description="Activity files."
    )
    runs_sub = runs.add_subparsers(dest="runs_command", metavar="RUNS_COMMAND")
    for cmd in RUNS_COMMANDS:
        _add(runs_sub, cmd)
    manage = sub.add_parser(
        "manage", help="run a Django management command (migrate, seed_demo, ...)", add_help=False
    )
    manage.set_defaults(_module=None)
    return parser


def _module_for(argv: Sequence[str]) -> str | None:
    """Find the command module named by argv without parsing the command's own options."""
    args = [a for a in argv if not a.startswith("-")]
    if not args:
        return None
    if args[0] == "runs" and len(args) > 1:
        table = {c.name: c.module for c in RUNS_COMMANDS}
        return table.get(args[1])
    table = {c.name: c.module for c in COMMANDS}
    return table.get(args[0])


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "manage":
        import os

        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
        from django.core.management import execute_from_command_line

        execute_from_command_line(["heelwise manage", *argv[1:]])
        return 0
    module_name = _module_for(argv)
    if module_name is None:
        parser = build_parser()
        if not argv or argv[0] in {"-h", "--help"}:
            parser.print_help()
            return 0
        parser.parse_args(argv)  # prints a usage error and exits 2
        parser.print_help()
        return 2
    module = importlib.import_module(module_name)
    prog_words = argv[:2] if argv[0] == "runs" else argv[:1]
    parser = argparse.ArgumentParser(prog="heelwise " + " ".join(prog_words))
    module.add_arguments(parser)
    args = parser.parse_args(argv[len(prog_words) :])
    try:
        return int(module.run(args))
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
