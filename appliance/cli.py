"""The ``roomsweep`` command line: one module per command in :mod:`appliance.commands`.

Exit status: 0 success; 2 bad input (one line on stderr, never a traceback); 1 the hardware
failed or the job ended early (what was measured is still printed).
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence
from typing import NoReturn

from appliance.commands import COMMANDS, UsageError, plugin_parsers
from hw.errors import BadInputError, HardwareError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse, but a mistake is one line (no usage block) and exit status 2."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message} (see {self.prog} --help)")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="roomsweep", description="Sweep a room for hidden cameras (RF and optical).")
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    for add_parser in sorted_parsers():
        add_parser(sub)
    return parser


def sorted_parsers() -> list:
    return [*plugin_parsers(), *(command.add_parser for command in COMMANDS)]


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        logging.basicConfig(
            level=logging.INFO if args.verbose else logging.WARNING,
            format="%(levelname)s %(name)s: %(message)s",
        )
        return args.func(args)
    except UsageError as exc:
        print(str(exc), file=sys.stderr)
        return EXIT_USAGE
    except BadInputError as exc:
        print(f"roomsweep: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except HardwareError as exc:
        print(f"roomsweep: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("roomsweep: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
