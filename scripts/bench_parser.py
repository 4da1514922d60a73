"""Benchmark the geoparser (``geo.parse``) on the annotated development set (``data/devset``).

    .venv/bin/python scripts/bench_parser.py                 # tables for the README
    .venv/bin/python scripts/bench_parser.py --json          # the same figures as JSON
    .venv/bin/python scripts/bench_parser.py --list-errors   # every miss, for the parser's developer
    .venv/bin/python scripts/bench_parser.py --seeds /path/to/shared/seeds

Reports exact-span precision / recall / F1 (overall, per language, per kind), resolution accuracy
on matched spans (the same adcode for administrative units; otherwise the right province and
within 30 km of the gold point), accuracy at 161 km, every wrong-province answer, and speed:
the parser's load time and its characters per second once loaded, with the ratio to a plain
regex word split of the same texts measured in the same run.

The five seed documents are not in the repository: their text is read from ../shared/seeds
beside the checkout (or --seeds DIR) and checked against the digests in seeds.jsonl. When they
are absent the benchmark says so and scores the other passages.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from geo.devset import (DEFAULT_SEEDS_DIR, DEVSET_DIR, KINDS, DevsetError,  # noqa: E402
                        derive_locations, load_devset, run_parser, score, tokenise_baseline)

ERROR_TYPES = ("missed", "spurious", "wrong_kind", "wrong_place", "wrong_province")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--devset", default=DEVSET_DIR, help="directory of the JSONL files")
    ap.add_argument("--seeds", default=DEFAULT_SEEDS_DIR,
                    help="directory of the seed documents (default: ../shared/seeds)")
    ap.add_argument("--no-seeds", action="store_true", help="leave the seed documents out")
    ap.add_argument("--lang", choices=("en", "zh"), help="only passages in this language")
    ap.add_argument("--repeat", type=int, default=3, help="timed rounds (the fastest counts)")
    ap.add_argument("--json", action="store_true", help="print the report as JSON")
    ap.add_argument("--list-errors", nargs="*", metavar="TYPE", choices=ERROR_TYPES,
                    help=f"list errors (all, or of these types: {', '.join(ERROR_TYPES)})")
    args = ap.parse_args(argv)

    try:
        passages, absent = load_devset(args.devset, None if args.no_seeds else args.seeds)
    except DevsetError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if absent:
        print(f"note: {absent}", file=sys.stderr)
    if args.lang:
        passages = [p for p in passages if p.language == args.lang]
    if not passages:
        print("error: no passages to score", file=sys.stderr)
        return 2

    # The parser loads first and alone, so its load time includes the gazetteer it needs.
    start, cpu_start = time.perf_counter(), time.process_time()
    try:
        from geo.parse import load_parser
        parser = load_parser()
    except ImportError as exc:
        print(f"error: the parser (geo.parse.load_parser) is not available: {exc}",
              file=sys.stderr)
        return 2
    load_seconds = time.perf_counter() - start
    # On a shared machine wall time also counts other processes' turns: CPU time shows the
    # parser's own cost.
    load_cpu_seconds = time.process_time() - cpu_start

    from geo.gazetteer import default_gazetteer
    derive_locations(passages, default_gazetteer())

    run = run_parser(parser, passages, repeat=args.repeat)
    baseline = tokenise_baseline(passages, repeat=args.repeat)
    report = score(passages, run.predictions)
    report["passages_by_group"] = dict(Counter(p.group for p in passages))
    # The seeds are the documents the atlas was built from, which the parser's developer also
    # reads: the excerpts alone show how it does on text it was not tuned on.
    report["by_group"] = {}
    for group in sorted({p.group for p in passages}):
        part = score([p for p in passages if p.group == group], run.predictions)
        report["by_group"][group] = {"spans": part["spans"]["overall"],
                                     "resolution": {k: part["resolution"][k] for k in
                                                    ("scored", "correct", "accuracy",
                                                     "wrong_province")}}
    report["seeds"] = "left out: " + absent if absent else "included"
    report["failures"] = run.failures
    lang_right = sum(run.languages.get(p.id) == p.language for p in passages)
    report["language_detection"] = {"passages": len(passages), "correct": lang_right}
    report["speed"] = {
        "load_seconds": load_seconds,
        "load_cpu_seconds": load_cpu_seconds,
        "characters": run.characters,
        "seconds": run.seconds,
        "chars_per_second": run.characters / run.seconds if run.seconds else None,
        "baseline": "regex word split (re.findall(r'\\w+')) of the same texts",
        "baseline_chars_per_second": run.characters / baseline if baseline else None,
        "ratio_to_baseline": (baseline / run.seconds) if run.seconds else None,
    }

    if args.json:
        out = dict(report)
        if args.list_errors is None:
            out.pop("errors")
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    if args.list_errors is not None:
        print_errors(report["errors"], set(args.list_errors or ERROR_TYPES))
        return 0
    print_report(report)
    return 0


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def print_report(r: dict) -> None:
    sp, res = r["spans"], r["resolution"]
    groups = ", ".join(f"{n} {g}" for g, n in sorted(r["passages_by_group"].items()))
    print(f"Development set: {r['passages']} passages ({groups}); seeds {r['seeds']}")
    if r["failures"]:
        print(f"Parser raised on {len(r['failures'])} passages: {', '.join(r['failures'])}")
    print()
    print("| Spans (exact) | gold | predicted | matched | precision | recall | F1 |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    rows = [("all", sp["overall"])] + [(lang, v) for lang, v in sp["by_language"].items()]
    for label, v in rows:
        print(f"| {label} | {v['gold']} | {v['predicted']} | {v['tp']} | {_pct(v['precision'])} "
              f"| {_pct(v['recall'])} | {_pct(v['f1'])} |")
    print()
    print("| Kind | gold | predicted | matched (same kind) | precision | recall | F1 |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for kind, v in sp["by_kind"].items():
        print(f"| {kind} | {v['gold']} | {v['predicted']} | {v['tp']} | {_pct(v['precision'])} "
              f"| {_pct(v['recall'])} | {_pct(v['f1'])} |")
    print()
    print("| Group | gold | F1 | resolution | wrong provinces |")
    print("|---|---:|---:|---:|---:|")
    for group, v in r["by_group"].items():
        print(f"| {group} | {v['spans']['gold']} | {_pct(v['spans']['f1'])} "
              f"| {_pct(v['resolution']['accuracy'])} | {v['resolution']['wrong_province']} |")
    ka = r["kind_accuracy"]
    print(f"\nKind right on {ka['correct']} of {ka['matched']} matched spans ({_pct(ka['accuracy'])}).")
    print()
    print("| Resolution (matched spans) | scored | correct | accuracy |")
    print("|---|---:|---:|---:|")
    print(f"| all | {res['scored']} | {res['correct']} | {_pct(res['accuracy'])} |")
    for lang, v in res["by_language"].items():
        print(f"| {lang} | {v['scored']} | {v['correct']} | {_pct(v['accuracy'])} |")
    for kind, v in res["by_kind"].items():
        print(f"| {kind} | {v['scored']} | {v['correct']} | {_pct(v['accuracy'])} |")
    a = res["acc_at_161km"]
    print(f"\nAccuracy at 161 km: {a['within']} of {a['with_points']} matched spans with both points "
          f"({_pct(a['accuracy'])}).")
    print(f"Wrong-province answers: {res['wrong_province']}")
    for e in res["wrong_province_answers"]:
        print(f"  - {e['passage']} [{e['start']}:{e['end']}] {e['text']!r}: gold "
              f"{e['gold'].get('province')}, parser {e['predicted'].get('province')} "
              f"(confidence {e['predicted'].get('confidence')})")
    s = r["speed"]
    lang = r["language_detection"]
    print(f"\nLanguage detected right on {lang['correct']} of {lang['passages']} passages.")
    print(f"Load: {s['load_seconds']:.2f} s wall, {s['load_cpu_seconds']:.2f} s CPU. Speed once loaded: {s['chars_per_second']:,.0f} chars/s "
          f"on {s['characters']:,} characters (best of the timed rounds); baseline "
          f"{s['baseline']}: {s['baseline_chars_per_second']:,.0f} chars/s; parser/baseline = "
          f"{s['ratio_to_baseline']:.3f}.")


def print_errors(errors: list[dict], types: set[str]) -> None:
    by_type = Counter(e["error"] for e in errors)
    print("Errors: " + ", ".join(f"{by_type[t]} {t}" for t in ERROR_TYPES if t in by_type))
    for t in ERROR_TYPES:
        if t not in types:
            continue
        chosen = [e for e in errors if e["error"] == t]
        if not chosen:
            continue
        print(f"\n## {t} ({len(chosen)})")
        for e in chosen:
            gold = e.get("gold") or {}
            pred = e.get("predicted") or {}
            parts = [f"{e['passage']} [{e['start']}:{e['end']}] {e['text']!r}"]
            if gold:
                parts.append("gold " + ", ".join(f"{k}={v}" for k, v in gold.items()))
            if pred:
                parts.append("parser " + ", ".join(f"{k}={pred.get(k)}" for k in
                                                   ("kind", "province", "adcode", "geonameid")))
            if "distance_km" in e:
                parts.append(f"{e['distance_km']} km off")
            print("- " + "; ".join(parts))
            print(f"    …{e['context']}…")


if __name__ == "__main__":
    sys.exit(main())
