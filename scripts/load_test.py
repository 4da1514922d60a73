"""Load test of the production server on loopback: concurrent clients on layer, index and
download routes, bounded in time and in request count.

    .venv/bin/python scripts/load_test.py [--clients 64] [--seconds 60] [--max-requests 2000000]

Starts ``python app.py`` (waitress) on a free 127.0.0.1 port, warms it up, then runs the clients
and reports requests per second, p50/p99 latency, errors, and the server's resident memory after
warm-up and at the end. Traffic goes to 127.0.0.1 only. Exits non-zero on any error or if the
resident memory at the end is more than 10% above its value after warm-up.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def wait_until_up(port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection(HOST, port, timeout=2)
            conn.request("GET", "/api/layers")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("server did not start")


def routes(port: int) -> list[tuple[str, dict]]:
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    conn.request("GET", "/api/layers")
    index = json.loads(conn.getresponse().read())
    layers = [layer["id"] for layer in index["layers"]]
    gz = {"Accept-Encoding": "gzip"}
    out = [("/api/layers", {})]
    out += [(f"/api/layers/{lid}", gz) for lid in layers]
    out += [(f"/download/{lid}.geojson", gz) for lid in layers[:4]]
    out += [("/download/locations.geojson", gz), ("/api/places?q=wuhan", {})]
    return out


def client(port, plan, stop_at, budget, lock, latencies, errors, offset):
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    try:
        _client_loop(conn, port, plan, stop_at, budget, lock, latencies, errors, offset)
    finally:
        conn.close()  # waitress caps open connections: leave none behind between phases


def _client_loop(conn, port, plan, stop_at, budget, lock, latencies, errors, offset):
    i = offset
    while time.monotonic() < stop_at:
        with lock:
            if budget[0] <= 0:
                return
            budget[0] -= 1
        path, headers = plan[i % len(plan)]
        i += 1
        start = time.perf_counter()
        try:
            conn.request("GET", path, headers=headers)
            resp = conn.getresponse()
            resp.read()
            ok = resp.status == 200
        except (OSError, http.client.HTTPException):
            ok = False
            conn.close()
            conn = http.client.HTTPConnection(HOST, port, timeout=30)
        elapsed = time.perf_counter() - start
        with lock:
            latencies.append(elapsed)
            if not ok:
                errors.append(path)


def run(clients: int, seconds: float, max_requests: int, warmup: float) -> dict:
    port = free_port()
    server = subprocess.Popen([sys.executable, "app.py", "--host", HOST, "--port", str(port),
                               "--threads", "8"], cwd=ROOT, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        wait_until_up(port)
        plan = routes(port)
        lock = threading.Lock()

        def phase(duration, budget):
            latencies, errors, budget_box = [], [], [budget]
            stop_at = time.monotonic() + duration
            threads = [threading.Thread(target=client, args=(port, plan, stop_at, budget_box,
                                                             lock, latencies, errors, k))
                       for k in range(clients)]
            start = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            return latencies, errors, time.perf_counter() - start

        phase(warmup, max_requests)  # warm-up: caches, allocator, thread pool
        rss_warm = rss_kib(server.pid)
        latencies, errors, elapsed = phase(seconds, max_requests)
        rss_end = rss_kib(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=10)
    latencies.sort()
    return {
        "clients": clients, "seconds": round(elapsed, 1), "requests": len(latencies),
        "errors": len(errors), "rps": round(len(latencies) / elapsed, 1),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p99_ms": round(latencies[int(0.99 * (len(latencies) - 1))] * 1000, 1),
        "rss_after_warmup_mib": round(rss_warm / 1024, 1), "rss_end_mib": round(rss_end / 1024, 1),
        "rss_growth_pct": round(100 * (rss_end - rss_warm) / rss_warm, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--warmup", type=float, default=10)
    parser.add_argument("--max-requests", type=int, default=2_000_000)
    args = parser.parse_args()
    r = run(args.clients, args.seconds, args.max_requests, args.warmup)
    print("| measure | value |\n| --- | --- |")
    for key, value in r.items():
        print(f"| {key} | {value} |")
    return 0 if r["errors"] == 0 and r["rss_growth_pct"] <= 10 else 1


if __name__ == "__main__":
    sys.exit(main())
