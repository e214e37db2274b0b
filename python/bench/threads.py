"""Two threads on two batches against one thread doing both (make bench-python): the GIL is
released while Rust works, so on a 2-core machine the pair should take about half as long.
Measured on NDJSON streams (`call_ndjson`, every vector) and on typed Arrow tables
(`expiring_arrow` over the fleet example's installed base). Prints the seconds and the
ratio (one thread's time over two threads')."""

from __future__ import annotations

import sys
import threading
import time
from pathlib import Path
from typing import Callable, Tuple

import warranty

ROOT = Path(__file__).resolve().parents[2]


def one_and_two(work: Callable[[], object]) -> Tuple[float, float]:
    """The best of five: `work` twice on one thread, and once on each of two threads."""
    work()  # warm up
    best_one, best_two = float("inf"), float("inf")
    for _ in range(5):
        t0 = time.perf_counter()
        work()
        work()
        best_one = min(best_one, time.perf_counter() - t0)
        threads = [threading.Thread(target=work) for _ in range(2)]
        t0 = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        best_two = min(best_two, time.perf_counter() - t0)
    return best_one, best_two


def main() -> None:
    stream = (ROOT / "target" / "c" / "vectors" / "all.ndjson").read_text(encoding="utf-8")
    batch = stream * int(sys.argv[1] if len(sys.argv) > 1 else 40)
    one, two = one_and_two(lambda: warranty.call_ndjson(batch))
    n = batch.count("\n")
    print(f"threads: call_ndjson, 2 batches of {n} requests: one thread {one:.3f} s, two threads {two:.3f} s, "
          f"speed-up {one / two:.2f}x")

    import pyarrow.parquet as pq

    sys.path.insert(0, str(ROOT / "examples" / "python"))
    from fleet_expiring import AS_OF, generate

    dataset = ROOT / "target" / "threads-bench" / "installed_base"
    if not dataset.exists():
        generate(500_000, 7, dataset)
    base = pq.read_table(dataset, read_dictionary=["warranties"]).select(["item_id", "sold_at", "warranties"])
    base = base.rename_columns(["id", "sold_at", "warranties"])
    one, two = one_and_two(lambda: warranty.expiring_arrow(base, as_of=AS_OF, within={"value": 90, "unit": "days"}))
    print(f"threads: expiring_arrow, 2 tables of {base.num_rows:,} items: one thread {one:.3f} s, "
          f"two threads {two:.3f} s, speed-up {one / two:.2f}x")


main()
