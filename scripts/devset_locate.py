"""Fill in the offsets of new development-set annotations.

    .venv/bin/python scripts/devset_locate.py data/devset/en.jsonl           # show what it would fill
    .venv/bin/python scripts/devset_locate.py data/devset/en.jsonl --write   # and write the file

A mention written without ``start``/``end`` — ``{"text": "Jingzhou", "kind": "prefecture",
"gold": {...}, "occurrence": 2}`` — gets the offsets of that occurrence of its text (the first
free one by default; ASCII spans match whole words only). Mentions that have offsets are left as
they are. The file is rewritten only when every span was found, through a temporary file, so a
failed run leaves it untouched. Then run ``pytest tests/test_devset.py`` to check the result.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from geo.devset import locate_mentions  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("file", help="a JSONL file of passages with text (en.jsonl, zh.jsonl)")
    ap.add_argument("--write", action="store_true", help="write the offsets into the file")
    args = ap.parse_args(argv)
    try:
        with open(args.file, encoding="utf-8") as fh:
            lines = fh.read().splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        print(f"error: cannot read {args.file}: {exc}", file=sys.stderr)
        return 2
    objs, problems, filled = [], [], 0
    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError as exc:
            problems.append(f"{args.file}:{lineno}: not JSON: {exc}")
            continue
        before = sum("start" not in m for m in obj.get("mentions", []))
        problems += [f"{args.file}:{lineno}: {p}" for p in locate_mentions(obj)]
        after = sum("start" not in m for m in obj.get("mentions", []))
        filled += before - after
        objs.append(obj)
    for p in problems:
        print(f"error: {p}", file=sys.stderr)
    print(f"{filled} mention(s) located in {len(objs)} passage(s)")
    if problems:
        return 1
    if args.write and filled:
        directory = os.path.dirname(os.path.abspath(args.file))
        fd, tmp = tempfile.mkstemp(dir=directory, suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                for obj in objs:
                    fh.write(json.dumps(obj, ensure_ascii=False) + "\n")
            os.replace(tmp, args.file)
        except BaseException:
            os.unlink(tmp)
            raise
    return 0


if __name__ == "__main__":
    sys.exit(main())
