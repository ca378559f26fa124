"""The ``popqa`` command. Thin: it parses arguments and calls the library.

Each stage registers its own subcommands from a ``cli`` module of its package
(``popqa/<stage>/cli.py`` with ``register(subparsers)``), so stages stay
independent; heavy imports happen inside the handlers, keeping ``--help`` fast.
Bad input ends with one clear line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from popqa.errors import PopqaError

__all__ = ["main", "build_parser"]

#: Modules that contribute subcommands, in the order ``--help`` lists them.
COMMAND_MODULES = (
    "popqa.io.cli",
    "popqa.geo.cli",
    "popqa.synth.cli",
    "popqa.checks.cli",
    "popqa.linkage.cli",
    "popqa.reporting.cli",
)


def build_parser() -> argparse.ArgumentParser:
    from popqa import __version__

    parser = argparse.ArgumentParser(
        prog="popqa",
        description=(
            "Data quality and survey analysis for population and labour-market registers. "
            "Kiểm tra chất lượng dữ liệu dân cư và thị trường lao động."
        ),
    )
    parser.add_argument("--version", action="version", version=f"popqa {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for mod_name in COMMAND_MODULES:
        try:
            mod = importlib.import_module(mod_name)
        except ModuleNotFoundError as exc:
            if exc.name == mod_name:
                continue
            raise
        mod.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if not args.verbose:  # third-party chatter (splink's EM notes, kernel and papermill logs) only with -v
        for name in ("splink", "traitlets", "papermill", "nbconvert"):
            logging.getLogger(name).setLevel(logging.ERROR)
    try:
        rc = args.handler(args)
    except PopqaError as exc:
        sys.stderr.write(f"popqa {args.command}: error: {exc}\n")
        return 2
    except BrokenPipeError:  # output piped into head and the like
        return 0
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        return 130
    return int(rc or 0)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
