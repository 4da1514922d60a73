"""Command line: ``python -m geo build | validate | geocode NAME --province P | extract FILE...``.

Thin wrappers over :mod:`geo.build`, :mod:`geo.catalog`, :mod:`geo.geocoder` and :mod:`geo.parse`.
"""

from __future__ import annotations

import argparse
import os
import sys

from .build import CATALOG_DIR, DATA_DIR, BuildError, build_and_write
from .catalog import CatalogError, load_catalog
from .export import JournalError, LockTimeout, WriteError
from .gazetteer import Gazetteer, GazetteerError
from .geocoder import GeocodeError, Geocoder, PlaceRef
from .sources import DOCUMENTS_DIR, check_documents


def cmd_build(args) -> int:
    try:
        result = build_and_write(args.catalog, args.out)
    except (CatalogError, BuildError) as exc:
        print(exc, file=sys.stderr)
        if isinstance(exc, CatalogError):
            print("build stopped; previous outputs left untouched", file=sys.stderr)
        return 1
    except LockTimeout as exc:
        print(f"build stopped: {exc}; previous outputs left untouched", file=sys.stderr)
        return 1
    except JournalError as exc:
        print(f"build stopped: {exc}", file=sys.stderr)
        return 1
    except WriteError as exc:
        # Say what is on disk only as far as it is true.
        outcome = {"untouched": "previous outputs left untouched",
                   "written": "the new outputs are all in place",
                   "journaled": "outputs are mid-swap; the next build or the app's start-up "
                                "rolls them back"}[exc.state]
        print(f"build stopped: cannot write outputs to {args.out}: {exc}; {outcome}",
              file=sys.stderr)
        return 1
    except OSError as exc:
        # Before the write began (reading the catalog or the gazetteer): nothing was written.
        print(f"build stopped: {exc}; previous outputs left untouched", file=sys.stderr)
        return 1
    s = result.stats
    print(f"{s['features']} features in {s['layers']} layers; "
          f"county vertices {s['county_vertices'][0]:,} -> {s['county_vertices'][1]:,}, "
          f"province vertices {s['province_vertices'][0]:,} -> {s['province_vertices'][1]:,}")
    return 0


def cmd_validate(args) -> int:
    try:
        catalog = load_catalog(args.catalog)
    except CatalogError as exc:
        print(exc, file=sys.stderr)
        return 1
    if not os.path.isdir(args.documents):
        print(f"catalog OK: {len(catalog.entries)} entries, {len(catalog.layers)} layers, "
              f"{len(catalog.documents)} documents; the source documents are not at "
              f"{args.documents}, so mentions were not checked against them "
              "(--documents DIR)")
        return 0
    problems, notes = check_documents(catalog, args.documents)
    for note in notes:
        print(note, file=sys.stderr)
    if problems:
        print(CatalogError(problems), file=sys.stderr)
        return 1
    mentions = sum(len(e.sources) for e in catalog.entries)
    print(f"catalog OK: {len(catalog.entries)} entries, {len(catalog.layers)} layers, "
          f"{len(catalog.documents)} documents; {mentions} mentions checked against the "
          f"documents in {args.documents}")
    return 0


def cmd_geocode(args) -> int:
    ref = PlaceRef(args.name, args.province, args.level, (args.country or "CN").upper())
    try:
        geocoder = Geocoder(Gazetteer.from_packages())
        found = geocoder.candidates(ref)
    except (GeocodeError, GazetteerError) as exc:
        print(exc, file=sys.stderr)
        return 1
    if not found:
        try:
            geocoder.geocode(ref)
        except GeocodeError as exc:
            print(exc, file=sys.stderr)
        return 1
    for match in found:
        print(match.summary())
        print(f"    basis: {match.basis}")
    if len(found) > 1:
        print(f"{len(found)} candidates: ambiguous in a catalog; add level or use the Chinese name",
              file=sys.stderr)
        return 2
    return 0


def cmd_extract(args) -> int:
    """Map documents: every place mention of each file, in input order."""
    import json

    from .parse import load_parser
    from .parse.output import to_catalog, to_geojson, to_jsonl
    from .parse.text import DocumentError, read_document

    docs, failed = [], False
    for path in args.files:
        try:
            text, fmt = read_document(path)
        except DocumentError as exc:
            print(f"error: {exc}", file=sys.stderr)
            failed = True
            continue
        docs.append((path, text, fmt))
    if docs:
        try:
            parser = load_parser()
        except GazetteerError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
    results, metas = [], []
    for path, text, fmt in docs:
        result = parser.extract(text, lang=args.lang)
        result = {"path": path, **result}
        if fmt in ("html", "pdf"):
            result["text"] = text
        results.append(result)
        metas.append({"path": path})
        if args.format == "jsonl":  # streamed: a long run shows results as it goes
            sys.stdout.write(to_jsonl([result]))
            sys.stdout.flush()
    if args.format == "geojson" and results:
        print(json.dumps(to_geojson(results, metas), ensure_ascii=False, indent=1))
    elif args.format == "catalog" and results:
        sys.stdout.write(to_catalog(results, metas))
    return 2 if failed else 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m geo", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("build", help="geocode the catalog and write the GeoJSON layers")
    p.add_argument("--catalog", default=CATALOG_DIR, help="catalog directory")
    p.add_argument("--out", default=DATA_DIR, help="output directory")
    p.set_defaults(func=cmd_build)
    p = sub.add_parser("validate", help="check the catalog (no geocoding)")
    p.add_argument("--catalog", default=CATALOG_DIR)
    p.add_argument("--documents", default=DOCUMENTS_DIR,
                   help="directory of the source documents (default ../shared/seeds)")
    p.set_defaults(func=cmd_validate)
    p = sub.add_parser("geocode", help="list the candidates for a name")
    p.add_argument("name")
    p.add_argument("--province", help="English or Chinese province name (required in China)")
    p.add_argument("--level", choices=["province", "prefecture", "county"])
    p.add_argument("--country", help="ISO alpha-2 code for a place outside China")
    p.set_defaults(func=cmd_geocode)
    p = sub.add_parser("extract", help="find and place every named place in documents")
    p.add_argument("files", nargs="+", metavar="FILE", help=".txt, .md, .html or .pdf")
    p.add_argument("--format", choices=["jsonl", "geojson", "catalog"], default="jsonl")
    p.add_argument("--lang", choices=["auto", "en", "zh"], default="auto")
    p.set_defaults(func=cmd_extract)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
