"""Benchmark: public tracking lookups per second and their latency, against a no-op endpoint
on the same server (issue #3, item 15; goal: at least 60 % of the no-op, p99 ≤ 50 ms).

    DBURL=$(bench/pg-bench.sh start /tmp/pg-bench)     # then migrate, seed_demo and
    DATABASE_URL=$DBURL .venv/bin/python bench/items_preload.py   # (see that file)
    DATABASE_URL=$DBURL .venv/bin/python bench/tracking_lookup.py \
        [--seconds 30] [--connections 8] [--workers 5] [--numbers 100000]

Load generator: ``wrk`` (Debian package ``wrk``) on loopback, one thread, ``--connections``
keep-alive connections each sending its next request when the answer is in (closed loop).
Each request asks ``GET /api/v1/track/<number>`` for a number drawn at random from
``--numbers`` items picked at random in the database (so most answers come from disk pages
no earlier request touched, unless the cache holds the whole table), or one of the no-op
endpoints of ``bench/urls.py``: ``/bench/noop``, a Django view returning a constant JSON
body through the same middleware (the goal is measured against it), and
``/bench/api/noop``, the same through django-ninja (for reference).
The server is gunicorn with production settings (``bench/server.py``) and the public rate
limit off by configuration (``POSTOPS_PUBLIC_RATE_PER_MINUTE=0``). With ``--rate-limited``
it is on as in production (60 a minute per client address, one counter statement per
request, ``postops.core.ratelimit``) and each request comes from one of 65,536 client
addresses (``X-Real-IP``, as nginx sets it), so none reaches the limit: the figures then
include what the limit costs.

Runs: a warm-up of each endpoint, then two rounds of no-op, API no-op, tracking
(``--seconds`` each); prints each run and the ratio of the best tracking run to the best
run of each no-op. Reads only: the database is left as it was (apart from statistics).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("POSTOPS_DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.db import connection, connections  # noqa: E402
from items_data import machine_load  # noqa: E402
from server import gunicorn  # noqa: E402

# wrk runs this LuaJIT script: random paths from a file, a JSON summary at the end.
LUA = r"""
local paths = {}
local f = assert(io.open(os.getenv("BENCH_PATHS"), "r"))
for line in f:lines() do paths[#paths + 1] = line end
f:close()
local statuses = {}
local thread_seed = 0

function setup(thread)
  thread_seed = thread_seed + 1
  thread:set("seed", thread_seed)
end

function init(args)
  math.randomseed(seed * 7919 + os.time())
end

local spread = os.getenv("BENCH_CLIENTS") == "1"

function request()
  if spread then
    local ip = string.format("10.77.%d.%d", math.random(0, 255), math.random(0, 255))
    return wrk.format("GET", paths[math.random(#paths)], {["X-Real-IP"] = ip})
  end
  return wrk.format("GET", paths[math.random(#paths)])
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "errors": %d, "non2xx": %d, ' ..
    '"p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d, "mean_us": %.1f}\n',
    summary.requests, summary.duration,
    summary.errors.connect + summary.errors.read + summary.errors.write +
      summary.errors.timeout,
    summary.errors.status,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    latency.mean))
end
"""


def sample_numbers(count: int) -> list[str]:
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM items_item")
        total = cur.fetchone()[0]
        percent = min(100.0, 100.0 * count * 1.5 / max(total, 1))
        cur.execute(
            f"SELECT number FROM items_item TABLESAMPLE SYSTEM ({percent:.4f}) LIMIT %s",
            [count],
        )
        numbers = [r[0] for r in cur.fetchall()]
    connections.close_all()
    if not numbers:
        raise SystemExit("no items: run bench/items_preload.py first")
    return numbers


def wrk(
    host, port, paths_file: Path, seconds: int, connections_: int, clients: bool = False
) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(LUA)
    try:
        out = subprocess.run(
            [
                "wrk",
                "--threads",
                "1",
                "--connections",
                str(connections_),
                "--duration",
                f"{seconds}s",
                "--timeout",
                "10s",
                "--script",
                script.name,
                f"http://{host}:{port}",
            ],
            env={
                **os.environ,
                "BENCH_PATHS": str(paths_file),
                "BENCH_CLIENTS": "1" if clients else "",
            },
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(script.name)
    line = next(x for x in out.splitlines() if x.startswith("BENCH "))
    result = json.loads(line.removeprefix("BENCH "))
    result["rate"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


def show(label: str, r: dict) -> None:
    print(
        f"{label:<10} {r['rate']:8,.0f} req/s   p50 {r['p50_us'] / 1000:6.1f} ms   "
        f"p90 {r['p90_us'] / 1000:6.1f} ms   p99 {r['p99_us'] / 1000:6.1f} ms   "
        f"max {r['max_us'] / 1000:7.1f} ms   ({r['requests']:,} requests, "
        f"{r['errors']} errors, {r['non2xx']} non-2xx)"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=5, help="gunicorn workers")
    parser.add_argument("--numbers", type=int, default=100_000)
    parser.add_argument(
        "--rate-limited",
        action="store_true",
        help="public rate limit on, as in production, requests from 65,536 addresses",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk not found: apt-get install wrk")
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith("postgres"):
        raise SystemExit("tracking_lookup.py needs PostgreSQL: DATABASE_URL=postgres://...")
    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM items_item")
        items = cur.fetchone()[0]
        cur.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'items_trackingevent'")
        events = cur.fetchone()[0]
    numbers = sample_numbers(args.numbers)
    workdir = Path(tempfile.mkdtemp(prefix="bench-track-"))
    track_paths = workdir / "track.txt"
    track_paths.write_text("".join(f"/api/v1/track/{n}\n" for n in numbers))
    noop_paths = workdir / "noop.txt"
    noop_paths.write_text("/bench/noop\n")
    api_noop_paths = workdir / "api-noop.txt"
    api_noop_paths.write_text("/bench/api/noop\n")
    endpoints = (("noop", noop_paths), ("api-noop", api_noop_paths), ("track", track_paths))
    print(machine_load())
    print(
        f"database: PostgreSQL, {items:,} items, ~{events:,} events; {len(numbers):,} numbers "
        f"drawn at random; wrk 1 thread, {args.connections} connections, "
        f"{args.seconds} s per run; gunicorn {args.workers} sync workers; public rate limit "
        + ("on (60/min per address, 65,536 addresses)" if args.rate_limited else "off")
    )
    runs: dict[str, list[dict]] = {name: [] for name, _p in endpoints}
    rate = "60" if args.rate_limited else "0"
    with gunicorn(url, args.workers, public_rate=rate) as (host, port):
        for _name, paths in endpoints:  # warm-up: every worker loads the code paths
            wrk(host, port, paths, 3, args.connections, args.rate_limited)
        for _round in range(2):
            for name, paths in endpoints:
                result = wrk(host, port, paths, args.seconds, args.connections, args.rate_limited)
                runs[name].append(result)
                show(name, result)
    shutil.rmtree(workdir)
    best = {name: max(rs, key=lambda r: r["rate"]) for name, rs in runs.items()}
    track = best["track"]
    ratio = track["rate"] / best["noop"]["rate"]
    p99 = track["p99_us"] / 1000
    print(
        f"tracking / no-op: {ratio:.0%} (goal ≥ 60 %: {'met' if ratio >= 0.6 else 'MISSED'}); "
        f"tracking / API no-op: {track['rate'] / best['api-noop']['rate']:.0%}; "
        f"tracking p99 {p99:.1f} ms (goal ≤ 50 ms: {'met' if p99 <= 50 else 'MISSED'})"
    )
    print(machine_load())
    bad = [r for rs in runs.values() for r in rs if r["errors"] or r["non2xx"]]
    if bad:
        raise SystemExit(f"{len(bad)} runs had errors or non-2xx answers: {bad}")


if __name__ == "__main__":
    main()
