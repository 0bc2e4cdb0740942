"""Generation engine throughput against the local fake server, and the cost of a rerun.

500 requests at concurrency 50 against a server that takes 200 ms per answer: the ideal
wall time is 500 / 50 x 0.2 s = 2 s (target: at most 1.5x). Then the identical run again,
which the cache must answer without a single request (target: 0).

    .venv/bin/python bench/bench_generate.py [--adapter openai|litellm] [--requests 500]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from verilogeval.dataset.loader import load_dataset
from verilogeval.generation.engine import EngineConfig, GenerationCache, generate
from verilogeval.generation.models.base import PRESETS, AdapterSettings, Preset, Request
from verilogeval.generation.models.registry import get_adapter
from verilogeval.records import Prompt, Task

SERVER_SCRIPT = Path(__file__).resolve().parent.parent / "tests" / "fake_openai_server.py"
SPECS = {"openai": "openai:bench-model", "litellm": "openai/bench-model"}


def requests_for(count: int) -> list[Request]:
    problems = load_dataset(None, Task.SPEC_TO_RTL).problems
    sampling = PRESETS[Preset.SAMPLING]
    samples_per_problem = -(-count // len(problems))
    requests = []
    for problem in problems:
        prompt = Prompt(
            problem=problem.name,
            task=problem.task,
            shots=0,
            rules=False,
            explain=False,
            style="official-v2",
            system="You write Verilog.",
            user=problem.prompt,
        )
        for sample in range(1, samples_per_problem + 1):
            requests.append(Request(problem, prompt, sample, sampling))
    return requests[:count]


@contextmanager
def server_process(latency_s: float):
    """The fake server in a process of its own, so it does not share the client's GIL."""
    argv = [sys.executable, str(SERVER_SCRIPT), "--latency", str(latency_s)]
    process = subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    try:
        yield process.stdout.readline().strip()
    finally:
        process.terminate()
        process.wait()


def stats(base_url: str) -> dict[str, int]:
    with urllib.request.urlopen(f"{base_url}/stats") as response:
        return json.load(response)


def baseline_s(base_url: str, requests: list[Request], concurrency: int) -> float:
    """Wall time of bare aiohttp posting the same bodies: the floor of this machine and server."""
    import asyncio

    import aiohttp

    async def run() -> float:
        slots = asyncio.Semaphore(concurrency)
        connector = aiohttp.TCPConnector(limit=concurrency)
        async with aiohttp.ClientSession(connector=connector) as session:

            async def one(request: Request) -> None:
                body = {"model": "baseline", "messages": request.prompt.messages()}
                async with slots, session.post(f"{base_url}/chat/completions", json=body) as r:
                    await r.json()

            started = time.perf_counter()
            await asyncio.gather(*(one(request) for request in requests))
            return time.perf_counter() - started

    return asyncio.run(run())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--adapter", choices=list(SPECS), default="openai")
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--latency", type=float, default=0.2)
    args = parser.parse_args()

    requests = requests_for(args.requests)
    ideal_s = args.requests / args.concurrency * args.latency
    config = EngineConfig(concurrency=args.concurrency, timeout_s=30)
    with server_process(args.latency) as base_url, tempfile.TemporaryDirectory() as tmp:
        settings = AdapterSettings(api_base=base_url, timeout_s=30)
        cache = GenerationCache(Path(tmp))
        adapter = get_adapter(SPECS[args.adapter], settings)  # before the clock: imports
        floor_s = baseline_s(base_url, requests, args.concurrency)
        floor_requests = stats(base_url)["requests"]

        started, cpu_started = time.perf_counter(), time.process_time()
        first = generate(adapter, requests, config, cache=cache)
        wall_s = time.perf_counter() - started
        cpu_s = time.process_time() - cpu_started
        errors = sum(g.error is not None for g in first)
        counts = stats(base_url)
        counts["requests"] -= floor_requests
        print(
            f"{args.adapter}: {args.requests} requests, concurrency {args.concurrency}, "
            f"latency {args.latency * 1000:.0f} ms, ideal {ideal_s:.2f} s"
        )
        print(
            f"  baseline (bare aiohttp, same requests): {floor_s:.2f} s = {floor_s / ideal_s:.2f}x"
        )
        print(
            f"  first run:  {wall_s:.2f} s = {wall_s / ideal_s:.2f}x ideal (target <= 1.5x), "
            f"{wall_s / floor_s:.2f}x baseline; requests {counts['requests']}, errors {errors}, "
            f"max in flight {counts['max_in_flight']}, client CPU {cpu_s:.2f} s"
        )

        started = time.perf_counter()
        second = generate(get_adapter(SPECS[args.adapter], settings), requests, config, cache=cache)
        wall_s = time.perf_counter() - started
        print(
            f"  second run: {wall_s:.2f} s, requests "
            f"{stats(base_url)['requests'] - counts['requests'] - floor_requests}"
            f" (target 0), cached {sum(g.cached for g in second)}/{len(second)}"
        )


if __name__ == "__main__":
    main()
