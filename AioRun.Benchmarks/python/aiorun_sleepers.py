"""The peers benchmark's Python subject: aiorun.run() with N tasks in asyncio.sleep(3600).

python3 aiorun_sleepers.py N [--measure]   (aiorun on PYTHONPATH)

Prints "ready" on standard output once every task is in its sleep, then waits for a signal; aiorun's lifecycle lines
go to standard error at INFO (logging.basicConfig), as AioRun's do by default. With --measure, the ready line also
gives tracemalloc's live bytes per task (Task, coroutine, TimerHandle, future), measured in this process.
"""
import asyncio
import logging
import sys

from aiorun import run

logging.basicConfig(level=logging.INFO)


async def main(count, measure):
    if measure:
        import gc
        import tracemalloc

        gc.collect()
        tracemalloc.start()
        before, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
    for _ in range(count):
        asyncio.create_task(asyncio.sleep(3600))
    # Two turns: the first starts every task, each of which is then in its sleep.
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    if measure:
        gc.collect()
        current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"ready allocated_per_task={(peak - before) / count:.1f} live_per_task={(current - before) / count:.1f}", flush=True)
    else:
        print("ready", flush=True)


if __name__ == "__main__":
    run(main(int(sys.argv[1]), len(sys.argv) > 2 and sys.argv[2] == "--measure"))
