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


def clocks():
    """Wall time and this thread's CPU time, in seconds."""
    return time.perf_counter(), time.thread_time()


async def one_round(n):
    w0, c0 = clocks()
    tasks = [asyncio.create_task(asyncio.sleep(3600)) for _ in range(n)]
    await asyncio.sleep(0)  # every task runs to its first await and sleeps on a timer
    w1, c1 = clocks()
    for t in tasks:
        t.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    w2, c2 = clocks()
    if not all(t.cancelled() for t in tasks):
        raise RuntimeError("not every task ended cancelled")
    return (w1 - w0, c1 - c0), (w2 - w1, c2 - c1)


async def main(n, iterations, warmups):
    setup, cancel = [], []
    for i in range(warmups + iterations):
        gc.collect()
        s, c = await one_round(n)
        if i >= warmups:
            setup.append(s)
            cancel.append(c)
    return setup, cancel


def ms(pairs, which):
    return [p[which] * 1000 for p in pairs]


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
        "setup_ms": ms(setup, 0),
        "setup_cpu_ms": ms(setup, 1),
        "cancel_drain_ms": ms(cancel, 0),
        "cancel_drain_cpu_ms": ms(cancel, 1),
        "median_setup_ms": statistics.median(ms(setup, 0)),
        "median_cancel_drain_ms": statistics.median(ms(cancel, 0)),
    }))


if __name__ == "__main__":
    run()
