"""Two threads on two batches against one thread doing both (make bench-python): the GIL is
released while Rust works, so on a 2-core machine the pair should take about half as long.
Prints the seconds and the ratio (one thread's time over two threads')."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path

import warranty

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    stream = (ROOT / "target" / "c" / "vectors" / "all.ndjson").read_text(encoding="utf-8")
    batch = stream * int(sys.argv[1] if len(sys.argv) > 1 else 40)
    warranty.call_ndjson(stream)  # warm up
    best_one, best_two = float("inf"), float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        warranty.call_ndjson(batch)
        warranty.call_ndjson(batch)
        best_one = min(best_one, time.perf_counter() - t0)
        threads = [threading.Thread(target=warranty.call_ndjson, args=(batch,)) for _ in range(2)]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        best_two = min(best_two, time.perf_counter() - t0)
    n = batch.count("\n")
    print(f"threads: 2 batches of {n} requests: one thread {best_one:.3f} s, two threads {best_two:.3f} s, "
          f"speed-up {best_one / best_two:.2f}x")


main()
