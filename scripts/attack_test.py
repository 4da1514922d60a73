"""Hostile clients against the production server on loopback: what holds, in figures.

    .venv/bin/python scripts/attack_test.py [--root DIR] [--seconds 15]

Starts ``python app.py`` from ``--root`` (default: this checkout; give another checkout to measure
a baseline in the same run) on a free 127.0.0.1 port with its production settings, then:

- framing: Content-Length + Transfer-Encoding with a request hidden in the body, ``gzip, chunked``,
  a bare-LF request;
- a header trickled a byte a second, and an idle connection: how long until the server closes them;
- 64 hostile connections (32 pipelining 30 downloads each and never reading, 16 trickling headers,
  16 idle) while a normal client asks for ``/api/layers``: its p50/p99 and failures, and the
  server's resident memory;
- 16 clients on full-extent filtered queries (``/api/features?bbox=-180,-90,180,90``, gzip), the
  same window each time and a different one each time, while the normal client asks for
  ``/api/layers``.

Every loop is bounded in time; traffic goes to 127.0.0.1 only. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from load_test import HOST, free_port, rss_kib, wait_until_up  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STATUS = re.compile(rb"HTTP/1\.[01] (\d{3})")


def exchange(port: int, raw: bytes, wait: float = 5.0) -> tuple[list[int], bool]:
    """Send raw bytes: the statuses answered, and whether the server closed within ``wait`` s."""
    sock = socket.create_connection((HOST, port), timeout=wait)
    sock.sendall(raw)
    out, closed, stop = b"", False, time.monotonic() + wait
    sock.settimeout(0.2)
    while time.monotonic() < stop:
        try:
            data = sock.recv(65536)
        except socket.timeout:
            continue
        except OSError:
            closed = True
            break
        if not data:
            closed = True
            break
        out += data
    sock.close()
    return [int(s) for s in STATUS.findall(out)], closed


def seconds_until_closed(port: int, trickle: bytes | None, cap: float) -> float | None:
    """Seconds until the server closes a connection that trickles ``trickle`` a byte a second
    (or sends nothing), or None if it is still open after ``cap`` seconds."""
    sock = socket.create_connection((HOST, port), timeout=cap)
    start = time.monotonic()
    sock.settimeout(1.0)
    i = 0
    try:
        while time.monotonic() - start < cap:
            if trickle is not None:
                sock.send(trickle[i % len(trickle):i % len(trickle) + 1])
                i += 1
            try:
                if sock.recv(4096) == b"":
                    return time.monotonic() - start
            except socket.timeout:
                pass
    except OSError:
        return time.monotonic() - start
    finally:
        sock.close()
    return None


def timed_get(port: int, path: str, headers=None, timeout: float = 10.0) -> float | None:
    start = time.perf_counter()
    try:
        conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        response.read()
        conn.close()
        return time.perf_counter() - start if response.status == 200 else None
    except (OSError, http.client.HTTPException):
        return None


def probe(port: int, seconds: float) -> dict:
    """The normal client: /api/layers one after another for ``seconds``."""
    latencies, failures = [], 0
    stop = time.monotonic() + seconds
    while time.monotonic() < stop:
        t = timed_get(port, "/api/layers")
        if t is None:
            failures += 1
        else:
            latencies.append(t)
        time.sleep(0.02)
    latencies.sort()
    if not latencies:
        return {"p50_ms": None, "p99_ms": None, "failures": failures, "answered": 0}
    return {"p50_ms": round(statistics.median(latencies) * 1000, 1),
            "p99_ms": round(latencies[int(0.99 * (len(latencies) - 1))] * 1000, 1),
            "failures": failures, "answered": len(latencies)}


def hostile(port: int, seconds: float) -> dict:
    socks = []
    pipelined = b"GET /download/locations.geojson HTTP/1.1\r\nHost: x\r\n\r\n" * 30
    for i in range(64):
        try:
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.settimeout(5)
            sock.connect((HOST, port))
            if i % 2 == 0:
                sock.sendall(pipelined)
            elif i % 4 == 1:
                sock.sendall(b"GET /api/layers HTTP/1.1\r\n")
            socks.append(sock)
        except OSError:
            pass
    done = threading.Event()

    def trickle():
        while not done.wait(1.0):
            for sock in socks[1::4]:
                try:
                    sock.send(b"X")
                except OSError:
                    pass

    thread = threading.Thread(target=trickle, daemon=True)
    thread.start()
    try:
        return probe(port, seconds)
    finally:
        done.set()
        thread.join(5)
        for sock in socks:
            sock.close()


def filtered_load(port: int, seconds: float, vary: bool) -> dict:
    done = threading.Event()
    counts = [0]

    def client(k):
        rng = random.Random(k)
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        while not done.is_set():
            top = f"{90 - rng.random() / 1000:.6f}" if vary else "90"
            try:
                conn.request("GET", f"/api/features?bbox=-180,-90,180,{top}", headers={"Accept-Encoding": "gzip"})
                conn.getresponse().read()
                counts[0] += 1
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection(HOST, port, timeout=30)
        conn.close()

    threads = [threading.Thread(target=client, args=(k,), daemon=True) for k in range(16)]
    for t in threads:
        t.start()
    time.sleep(1)
    try:
        result = probe(port, seconds)
    finally:
        done.set()
        for t in threads:
            t.join(35)
    result["filtered_rps"] = round(counts[0] / (seconds + 1), 1)
    return result


def run(root: str, seconds: float) -> dict:
    port = free_port()
    server = subprocess.Popen([sys.executable, "app.py", "--host", HOST, "--port", str(port)], cwd=root,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    results: dict = {}
    try:
        wait_until_up(port, timeout=600)  # start-up loads the geoparser's gazetteer too
        timed_get(port, "/api/features?bbox=-180,-90,180,90")  # warm: shapes, caches
        hidden = b"GET /api/openapi.json HTTP/1.1\r\nHost: x\r\n\r\n"
        body = b"0\r\n\r\n" + hidden
        results["CL+TE with a hidden request"] = exchange(port, b"GET /api/layers HTTP/1.1\r\nHost: x\r\n"
                                                          b"Content-Length: %d\r\nTransfer-Encoding: chunked\r\n\r\n"
                                                          % len(body) + body)
        import gzip
        gz = gzip.compress(b"x")
        results["TE gzip, chunked (then a 2nd request)"] = exchange(
            port, b"GET /api/layers HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n"
            + b"%x\r\n%s\r\n0\r\n\r\n" % (len(gz), gz) + hidden)
        results["bare-LF request"] = exchange(port, b"GET /api/layers HTTP/1.1\nHost: x\n\n")
        slow: dict = {}
        threads = [threading.Thread(target=lambda: slow.update(trickle=seconds_until_closed(
                       port, b"GET /api/layers HTTP/1.1\r\nX-Slow: " + b"a" * 100, 45))),
                   threading.Thread(target=lambda: slow.update(idle=seconds_until_closed(port, None, 45)))]
        for t in threads:
            t.start()
        results["alone"] = probe(port, 5)
        results["rss_before_mib"] = round(rss_kib(server.pid) / 1024, 1)
        results["64 hostile"] = hostile(port, seconds)
        results["rss_hostile_mib"] = round(rss_kib(server.pid) / 1024, 1)
        for t in threads:
            t.join(60)
        results["trickled header closed after s"] = slow.get("trickle")
        results["idle connection closed after s"] = slow.get("idle")
        time.sleep(2)
        results["16 full-extent, same window"] = filtered_load(port, seconds, vary=False)
        results["16 full-extent, new window each"] = filtered_load(port, seconds, vary=True)
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--root", action="append", help="checkout to run app.py from (repeat to compare)")
    parser.add_argument("--seconds", type=float, default=15)
    args = parser.parse_args()
    roots = args.root or [ROOT]
    runs = [run(root, args.seconds) for root in roots]
    print("| measure | " + " | ".join(roots) + " |\n| --- |" + " --- |" * len(roots))
    for key in runs[0]:
        print(f"| {key} | " + " | ".join(str(r.get(key)) for r in runs) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
