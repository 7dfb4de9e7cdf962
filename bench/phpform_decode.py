"""Decoding a 1,000-item Quick Refresh body (8,000 fields) against the standard library's flat parse.

    .venv/bin/python bench/phpform_decode.py

phpform.decode builds PHP's nested arrays; urllib.parse.parse_qsl only splits and unescapes
the same body into a flat list of pairs, the floor. Both are timed in this run, alternately,
best of ROUNDS (the machine is shared: the best run is the least disturbed one). The decoder
keeps the names it has seen (a Quick Refresh sends the same ones every batch); the first
decode, before any is kept, is printed too.
"""

import sys
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bizunosync.wire import phpform  # noqa: E402

ROUNDS = 30


def body(n=1000):
    return phpform.encode({"data": [
        {"SKU": f"B-{i}", "QtyStock": str(i), "Price": "1.50", "SalePrice": "",
         "PriceTiers": [{"qty": "10", "price": "1.25"}, {"qty": "50", "price": "1.00"}]} for i in range(n)
    ]}).encode()


def best(fn, raw):
    started = time.perf_counter()
    fn(raw)
    return time.perf_counter() - started


def main():
    raw = body()
    cold = best(phpform.decode, raw)
    ours, floor = [], []
    for _ in range(ROUNDS):
        ours.append(best(phpform.decode, raw))
        floor.append(best(urllib.parse.parse_qsl, raw))
    o, f = min(ours), min(floor)
    print(f"phpform.decode of {phpform.count_vars(raw)} fields ({len(raw) // 1024} KB): {o * 1000:.1f} ms"
          f" (first, names not yet kept: {cold * 1000:.1f} ms) · parse_qsl {f * 1000:.1f} ms · ratio {o / f:.2f}×"
          f" (first {cold / f:.2f}×; target ≤ 1.5)")


if __name__ == "__main__":
    main()
