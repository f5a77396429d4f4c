"""HTTP latency of ``kg serve``: p50/p95 of an entity page and of stored queries at each size.

For each size it generates (or reuses) a project with benchmarks/generate.py, starts
``kg serve`` on a free loopback port (which builds the store on first use: that time is
reported as start-up), then times sequential GET requests after a warm-up. Standard library
and the project's own dependencies only.

    python benchmarks/http_latency.py --sizes 100k,1m --requests 100
"""

from __future__ import annotations

import argparse
import random
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

from generate import generate  # noqa: E402


def parse_size(text: str) -> int:
    text = text.strip().lower()
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text[:-1] if factor > 1 else text) * factor)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def project_for(size: int, folder: Path) -> Path:
    """The generated project of ``size`` triples under ``folder`` (reused when present)."""
    out = folder / str(size)
    marker = out / ".generated"
    if not marker.is_file():
        count = generate(size, out)
        marker.write_text(str(count), encoding="utf-8")
    return out


def get(url: str) -> tuple[int, int]:
    """GET ``url``; (status, bytes)."""
    try:
        with urllib.request.urlopen(url, timeout=300) as response:
            return response.status, len(response.read())
    except urllib.error.HTTPError as err:
        return err.code, len(err.read())


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100k,1m", help="comma-separated sizes (10k, 100k, 1m)")
    parser.add_argument("--requests", type=int, default=100, help="timed requests per target")
    parser.add_argument("--dir", type=Path, default=Path("/tmp/kg-http-bench"), help="where generated projects live")
    args = parser.parse_args(argv)
    rng = random.Random(7)
    lines = [
        "| size | target | p50 | p95 | mean | answer |",
        "|---|---|---|---|---|---|",
    ]
    for size in (parse_size(s) for s in args.sizes.split(",")):
        root = project_for(size, args.dir)
        copies = len(list((root / "facts").glob("000_5af62eee91348360*.ttl")))
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        started = time.monotonic()
        command = [sys.executable, "-m", "kg", "--root", str(root), "serve", "--port", str(port), "--timeout", "300"]
        server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            while True:
                if server.poll() is not None:
                    raise SystemExit(f"kg serve exited: {server.stderr.read().decode() if server.stderr else ''}")
                try:
                    get(base + "/queries")
                    break
                except OSError:
                    time.sleep(0.5)
            startup = time.monotonic() - started

            def copy_suffix(copies: int = copies) -> str:
                k = rng.randrange(copies)
                return "" if k == 0 else f"-c{k}"

            targets = {
                "entity page (a visit, random copy)": lambda: (
                    f"/id/visit/2024-05-kassym-jomart-tokayev-singapore{copy_suffix()}"
                ),
                "entity page (a person, random copy)": lambda: f"/id/person/kassym-jomart-tokayev{copy_suffix()}",
                "entity page (Singapore: a hub, every copy links to it)": lambda: "/id/country/singapore",
                "stored query visits, guest=… (JSON)": lambda: (
                    f"/queries/visits.json?guest=person:kassym-jomart-tokayev{copy_suffix()}"
                ),
                "stored query office-holders (page)": lambda: (
                    "/queries/office-holders?country=singapore&date=2024-05-23"
                ),
            }
            print(f"{size}: {copies} copies of the articles; server up in {startup:.1f} s", file=sys.stderr)
            for name, path in targets.items():
                for _ in range(3):
                    get(base + path())
                times = []
                sizes = []
                for _ in range(args.requests):
                    t0 = time.perf_counter()
                    status, length = get(base + path())
                    times.append((time.perf_counter() - t0) * 1000)
                    sizes.append(length)
                    if status != 200:
                        raise SystemExit(f"{name}: HTTP {status}")
                row = (
                    f"| {size // 1000}k | {name} | {statistics.median(times):.1f} ms | {percentile(times, 0.95):.1f} ms "
                    f"| {statistics.fmean(times):.1f} ms | {statistics.median(sizes) / 1024:.0f} KiB |"
                )
                print(row, file=sys.stderr)
                lines.append(row)
            lines.append(
                f"| {size // 1000}k | start-up (store opened; built from the files when missing) | {startup:.1f} s | | | |"
            )
        finally:
            server.terminate()
            server.wait(30)
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
