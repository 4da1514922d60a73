"""Benchmark the OGC API items route against pygeoapi serving the same layer file, in one run.

    .venv/bin/python scripts/bench_ogc.py [--seconds 3] [--rounds 5]   (or: make bench-ogc)

pygeoapi (pinned in requirements-bench.txt) is installed into its own venv, ``.venv-bench``, the
first time; it never enters the app's venv. Both servers run under waitress with 4 threads on free
loopback ports, on the same GeoJSON layer files from data/layers/ (pygeoapi's GeoJSON provider).
The client is one keep-alive HTTP/1.1 connection per server, requests sent one after another,
the two servers alternating round by round so both see the same machine load. Reported per
request: the server process's CPU time (user + system, from /proc/<pid>/stat: the figure that
waiting for a shared CPU does not inflate) and the median latency, each the median over rounds;
the ratios are pygeoapi / atlas (how many times less the atlas needs).
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
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH_VENV = ROOT / ".venv-bench"
LAYERS = ("strategy-regions", "plans-2025-industries")  # multipolygons (the largest file), points
CASES = [
    ("first page (limit 10)", "/collections/{layer}/items?f=json&limit=10"),
    ("whole layer (limit 1000)", "/collections/{layer}/items?f=json&limit=1000"),
    ("one feature", "/collections/{layer}/items/{fid}?f=json"),
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_bench_venv() -> Path:
    python = BENCH_VENV / "bin" / "python"
    stamp = BENCH_VENV / ".installed"
    requirements = ROOT / "requirements-bench.txt"
    if not stamp.exists() or stamp.stat().st_mtime < requirements.stat().st_mtime:
        if not python.exists():
            subprocess.run([sys.executable, "-m", "venv", str(BENCH_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "-r", str(requirements)], check=True)
        stamp.touch()
    return python


def pygeoapi_config(workdir: Path, port: int) -> Path:
    resources = {}
    for layer in LAYERS:
        meta = next(m for m in json.loads((ROOT / "data/layers/index.json").read_text())["layers"] if m["id"] == layer)
        resources[layer] = {
            "type": "collection", "title": meta["title"], "description": meta["description"],
            "keywords": ["atlas"], "links": [],
            "extents": {"spatial": {"bbox": meta["bbox"], "crs": "http://www.opengis.net/def/crs/OGC/1.3/CRS84"}},
            "providers": [{"type": "feature", "name": "GeoJSON",
                           "data": str(ROOT / "data" / "layers" / f"{layer}.geojson"), "id_field": "id"}],
        }
    config = {
        "server": {"bind": {"host": "127.0.0.1", "port": port}, "url": f"http://127.0.0.1:{port}",
                   "mimetype": "application/json; charset=UTF-8", "encoding": "utf-8",
                   "languages": ["en-US"], "limits": {"default_items": 10, "max_items": 1000},
                   "map": {"url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png", "attribution": "OSM"}},
        "logging": {"level": "ERROR"},
        "metadata": {"identification": {"title": "bench", "description": "bench", "keywords": ["bench"],
                                        "keywords_type": "theme", "terms_of_service": "https://example.org",
                                        "url": "https://example.org"},
                     "license": {"name": "CC-BY 4.0", "url": "https://creativecommons.org/licenses/by/4.0/"},
                     "provider": {"name": "bench", "url": "https://example.org"},
                     "contact": {"name": "bench", "position": "bench", "address": "x", "city": "x",
                                 "stateorprovince": "x", "postalcode": "x", "country": "x", "phone": "x",
                                 "fax": "x", "email": "x@example.org", "url": "https://example.org",
                                 "hours": "x", "instructions": "x", "role": "pointOfContact"}},
        "resources": resources,
    }
    path = workdir / "pygeoapi.config.yml"
    path.write_text(json.dumps(config))  # JSON is YAML
    return path


def start(cmd: list[str], env: dict, port: int, log: Path) -> subprocess.Popen:
    proc = subprocess.Popen(cmd, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, cwd=ROOT)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc
        except OSError:
            if proc.poll() is not None:
                raise SystemExit(f"server exited: {' '.join(cmd)}\n{log.read_text()[-2000:]}")
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"server did not start: {' '.join(cmd)}")


TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def hammer(port: int, path: str, seconds: float) -> tuple[float, list[float], int]:
    """Requests per second over ``seconds`` on one keep-alive connection; latencies; body size."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    latencies, size = [], 0
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        t = time.perf_counter()
        conn.request("GET", path, headers={"Accept": "application/geo+json"})
        response = conn.getresponse()
        body = response.read()
        latencies.append(time.perf_counter() - t)
        if response.status != 200:
            raise SystemExit(f"{path}: HTTP {response.status}: {body[:200]!r}")
        size = len(body)
    conn.close()
    return len(latencies) / sum(latencies), latencies, size


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=2.0, help="seconds per server per round")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)

    bench_python = ensure_bench_venv()
    first_ids = {layer: json.loads((ROOT / "data/layers" / f"{layer}.geojson").read_text())["features"][0]["id"]
                 for layer in LAYERS}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        atlas_port, pga_port = free_port(), free_port()
        config = pygeoapi_config(tmp, pga_port)
        openapi = tmp / "pygeoapi.openapi.yml"
        env = dict(os.environ, PYGEOAPI_CONFIG=str(config), PYGEOAPI_OPENAPI=str(openapi))
        subprocess.run([str(BENCH_VENV / "bin" / "pygeoapi"), "openapi", "generate", str(config),
                        "--output-file", str(openapi)], env=env, check=True, capture_output=True)
        serve = textwrap.dedent(f"""
            from waitress import serve
            from pygeoapi.flask_app import APP
            serve(APP, host="127.0.0.1", port={pga_port}, threads=4, _quiet=True)
        """)
        servers = [start([str(bench_python), "-c", serve], env, pga_port, tmp / "pygeoapi.log"),
                   start([sys.executable, str(ROOT / "app.py"), "--port", str(atlas_port), "--threads", "4"],
                         dict(os.environ), atlas_port, tmp / "atlas.log")]
        try:
            import platform
            versions = subprocess.run([str(bench_python), "-c", "import pygeoapi; print(pygeoapi.__version__)"],
                                      capture_output=True, text=True).stdout.strip()
            print(f"pygeoapi {versions} vs the atlas, waitress 4 threads each, one keep-alive client, "
                  f"{args.rounds} rounds x {args.seconds:g} s, {os.cpu_count()} cores, Python {platform.python_version()}\n")
            print("| layer | request | bytes | atlas CPU / request | pygeoapi CPU / request | ratio "
                  "| atlas p50 latency | pygeoapi p50 latency | ratio |")
            print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
            pids = {atlas_port: servers[1].pid, pga_port: servers[0].pid}
            for layer in LAYERS:
                for label, template in CASES:
                    path = template.format(layer=layer, fid=first_ids[layer])
                    for port in (atlas_port, pga_port):  # warm up both
                        hammer(port, path, 0.3)
                    cpu = {atlas_port: [], pga_port: []}
                    p50 = {atlas_port: [], pga_port: []}
                    sizes = {}
                    for _ in range(args.rounds):
                        for port in (atlas_port, pga_port):
                            before = cpu_seconds(pids[port])
                            rate, latencies, size = hammer(port, path, args.seconds)
                            cpu[port].append((cpu_seconds(pids[port]) - before) / len(latencies))
                            p50[port].append(statistics.median(latencies))
                            sizes[port] = size
                    ca, cp = statistics.median(cpu[atlas_port]), statistics.median(cpu[pga_port])
                    la, lp = statistics.median(p50[atlas_port]), statistics.median(p50[pga_port])
                    print(f"| {layer} | {label} | {sizes[atlas_port]:,} | {ca * 1000:.2f} ms | {cp * 1000:.1f} ms "
                          f"| {cp / ca if ca else float('inf'):.0f}× | {la * 1000:.2f} ms | {lp * 1000:.1f} ms "
                          f"| {lp / la:.0f}× |", flush=True)
        finally:
            for proc in servers:
                proc.terminate()
                try:
                    proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    proc.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
