"""The ``popqa`` command. Thin: it parses arguments and calls the library.

Each stage registers its own subcommands from a ``cli`` module of its package
(``popqa/<stage>/cli.py`` with ``register(subparsers)``), so stages stay
independent; heavy imports happen inside the handlers, keeping ``--help`` fast.
Bad input ends with one clear line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import logging
import signal
import sys
from collections.abc import Sequence
from typing import NoReturn

from popqa.errors import PopqaError

__all__ = ["main", "build_parser", "Terminated"]


class Terminated(BaseException):
    """SIGTERM (a cron timeout, a reboot): unwinds like Ctrl-C so nothing is left half-written."""


class _Parser(argparse.ArgumentParser):
    """argparse with the CLI's error contract: one line naming what is wrong, exit 2."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def _on_sigterm(signum, frame) -> None:  # noqa: ARG001 - signal handler signature
    raise Terminated()

#: Modules that contribute subcommands, in the order ``--help`` lists them.
COMMAND_MODULES = (
    "popqa.io.cli",
    "popqa.geo.cli",
    "popqa.synth.cli",
    "popqa.checks.cli",
    "popqa.linkage.cli",
    "popqa.indicators.cli",
    "popqa.extracts.cli",
    "popqa.reporting.cli",
)


def build_parser() -> argparse.ArgumentParser:
    from popqa import __version__

    parser = _Parser(
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


def _oserror_line(exc: OSError) -> str:
    where = exc.filename if getattr(exc, "filename", None) else None
    if exc.errno == errno.ENOSPC:
        what = "no space left on the device"
    else:
        what = exc.strerror or str(exc)
    return f"{where}: {what}" if where else what


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``popqa`` command.

    Exit codes: 0 done, 1 done with failed district reports, 2 a user error
    (bad input, period, configuration or output path: one line on stderr,
    never a traceback), 130 interrupted (SIGINT), 143 terminated (SIGTERM).
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "period", None) is not None:  # one parser of YYYY-MM for every command, before any work
        from popqa.period import Period, PeriodError

        try:
            args.period = str(Period.parse(args.period))
        except PeriodError as exc:
            sys.stderr.write(f"popqa {args.command}: error: --period: {exc}\n")
            return 2
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if not args.verbose:  # third-party chatter (splink's EM notes, kernel and papermill logs) only with -v
        for name in ("splink", "traitlets", "papermill", "nbconvert"):
            logging.getLogger(name).setLevel(logging.ERROR)
    previous = signal.getsignal(signal.SIGTERM)
    try:
        signal.signal(signal.SIGTERM, _on_sigterm)
    except ValueError:  # not the main thread (main() called from a thread): leave signals alone
        previous = None
    try:
        rc = args.handler(args)
    except PopqaError as exc:
        sys.stderr.write(f"popqa {args.command}: error: {exc}\n")
        return 2
    except BrokenPipeError:  # output piped into head and the like
        return 0
    except KeyboardInterrupt:
        sys.stderr.write(f"popqa {args.command}: interrupted; nothing half-written was kept\n")
        return 130
    except Terminated:
        sys.stderr.write(f"popqa {args.command}: terminated; nothing half-written was kept\n")
        return 143
    except OSError as exc:  # a disk or folder problem outside popqa's own checks: still one line
        sys.stderr.write(f"popqa {args.command}: error: {_oserror_line(exc)}\n")
        return 2
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
    return int(rc or 0)


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
