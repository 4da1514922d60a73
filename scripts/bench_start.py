#!/usr/bin/env python3
"""Benchmark the server's start at scale: seconds until ``/api/layers`` answers, and peak memory.

    python scripts/bench_start.py [--points 100000] [--runs 3] [--settle 30] [--previous REF] [--json FILE]

Makes a copy of the data with a synthetic point layer (``scripts/synthetic_data.py``: each point
~1 KB, copying a real feature's properties; locations.geojson gains them too), then starts
``python app.py --data DIR`` on a free port, times it until ``GET /api/layers`` answers 200 and
reads its peak resident memory (VmHWM) then and ``--settle`` seconds later, after the background
work a served app does at start (the search index, the small layers' GIS downloads). Each case
runs ``--runs`` times, alternated run by run, and is reported as the median:

- ``baseline``: the same app on the data as it is (116 features): the named baseline;
- ``scaled``: the same app with the synthetic layer;
- ``scaled-preload``: the same, with ``--preload-parser`` (the geoparser loaded from start);
- ``previous`` (with ``--previous REF``, e.g. ``main``): the code of that git revision, extracted
  with ``git archive`` to a temporary directory, on the same scaled data.

The ratios printed are scaled / baseline (and previous / scaled). The machine's load average is
printed with them: start times on a shared machine vary with what else runs.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "scripts"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def peak_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def start(code: Path, data: Path, extra: list[str], timeout: float = 600) -> tuple[subprocess.Popen, int, float]:
    """``code``/app.py serving ``data`` on a free port: the process, the port, and seconds until
    /api/layers answers 200."""
    port = free_port()
    t0 = time.monotonic()
    proc = subprocess.Popen([sys.executable, "app.py", "--port", str(port), "--data", str(data), *extra],
                            cwd=code, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}: {proc.stderr.read().decode()[-500:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/api/layers")
            response = conn.getresponse()
            response.read()
            conn.close()
            if response.status == 200:
                return proc, port, time.monotonic() - t0
        except OSError:
            time.sleep(0.05)
        if time.monotonic() - t0 > timeout:
            proc.kill()
            raise RuntimeError(f"the server did not answer in {timeout:g} s")


def measure(code: Path, data: Path, extra: list[str], settle: float) -> dict:
    load = os.getloadavg()[0]  # what else ran: the 1-minute load average as the start began
    proc, _, seconds = start(code, data, extra)
    try:
        out = {"start_s": seconds, "peak_mb": peak_rss_mb(proc.pid), "load_1min": load}
        if settle > 0:
            time.sleep(settle)
            out["settled_peak_mb"] = peak_rss_mb(proc.pid)
        return out
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def previous_code(ref: str, into: Path) -> Path:
    """The tree of git revision ``ref``, extracted (not checked out: the worktree is untouched)."""
    into.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", ref], cwd=ROOT, check=True, capture_output=True).stdout
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, check=True)
    return into


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default=str(ROOT / "data"), help="data directory (default data/)")
    parser.add_argument("--points", type=int, default=100_000, help="synthetic points (default 100,000)")
    parser.add_argument("--runs", type=int, default=3, help="starts per case (median)")
    parser.add_argument("--settle", type=float, default=30.0,
                        help="seconds after the answer to read the peak again (0: do not wait)")
    parser.add_argument("--previous", metavar="REF", help="also start the code of this git revision")
    parser.add_argument("--json", help="also write the figures to this JSON file")
    args = parser.parse_args(argv)

    import synthetic_data

    tmp = Path(tempfile.mkdtemp(prefix="atlas-start-"))
    try:
        scaled = synthetic_data.make(tmp / "data", args.points, Path(args.data))
        cases = {"baseline": (ROOT, Path(args.data), []), "scaled": (ROOT, scaled, []),
                 "scaled-preload": (ROOT, scaled, ["--preload-parser"])}
        if args.previous:
            cases["previous"] = (previous_code(args.previous, tmp / "previous"), scaled, [])
        runs: dict[str, list[dict]] = {name: [] for name in cases}
        for _ in range(args.runs):
            for name, (code, data, extra) in cases.items():  # alternated, run by run
                runs[name].append(measure(code, data, extra, args.settle))
                print(name, json.dumps(runs[name][-1]), file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    figures: dict = {"points": args.points, "runs": args.runs, "load_average": list(os.getloadavg())}
    for name, results in runs.items():
        for key in results[0]:
            figures[f"{name}_{key}"] = round(statistics.median(r[key] for r in results), 2)
    figures["start_ratio_scaled_to_baseline"] = round(figures["scaled_start_s"] / figures["baseline_start_s"], 2)
    figures["peak_ratio_scaled_to_baseline"] = round(figures["scaled_peak_mb"] / figures["baseline_peak_mb"], 2)
    if args.previous:
        figures["previous_ref"] = args.previous
        figures["start_ratio_previous_to_scaled"] = round(figures["previous_start_s"] / figures["scaled_start_s"], 2)
        figures["peak_ratio_previous_to_scaled"] = round(figures["previous_peak_mb"] / figures["scaled_peak_mb"], 2)
    print("| case | start (s) | peak at answer (MB) | peak after settle (MB) | load (1 min) |")
    print("|---|---|---|---|---|")
    for name in runs:
        print(f"| {name} | {figures[f'{name}_start_s']} | {figures[f'{name}_peak_mb']} | "
              f"{figures.get(f'{name}_settled_peak_mb', '-')} | {figures[f'{name}_load_1min']} |")
    print(json.dumps(figures, indent=1))
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
