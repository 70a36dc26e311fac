#!/usr/bin/env python3
"""The asyncio peer of AioRun's benchmark (4): N tasks sleeping, all cancelled, gathered.

Stdlib only. Prints one JSON object on stdout; AioRun.Benchmarks runs this as a child process
and prints the figures next to its own. Run it by hand with:
    python3 asyncio_sleep_cancel.py --tasks 100000 --iterations 3
"""
import argparse
import asyncio
import gc
import json
import platform
import statistics
import time


async def one_round(n):
    t0 = time.perf_counter()
    tasks = [asyncio.create_task(asyncio.sleep(3600)) for _ in range(n)]
    await asyncio.sleep(0)  # every task runs to its first await and sleeps on a timer
    t1 = time.perf_counter()
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    t2 = time.perf_counter()
    if not all(t.cancelled() for t in tasks):
        raise RuntimeError("not every task ended cancelled")
    return t1 - t0, t2 - t1


async def main(n, iterations, warmups):
    setup, cancel = [], []
    for i in range(warmups + iterations):
        gc.collect()
        s, c = await one_round(n)
        if i >= warmups:
            setup.append(s * 1000)
            cancel.append(c * 1000)
    return setup, cancel


def run():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", type=int, default=100_000)
    parser.add_argument("--iterations", type=int, default=3)
    parser.add_argument("--warmups", type=int, default=1)
    args = parser.parse_args()
    setup, cancel = asyncio.run(main(args.tasks, args.iterations, args.warmups))
    print(json.dumps({
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "tasks": args.tasks,
        "setup_ms": setup,
        "cancel_drain_ms": cancel,
        "median_setup_ms": statistics.median(setup),
        "median_cancel_drain_ms": statistics.median(cancel),
    }))


if __name__ == "__main__":
    run()
