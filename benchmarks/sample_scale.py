"""Benchmark: generating and writing the synthetic sample at 1,000,000 students.

Run by hand (not a test):  .venv/bin/python benchmarks/sample_scale.py [--n 1000000]

Prints wall time and peak memory (resident set size) for generation and for writing the CSVs.
Measured numbers are recorded in benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time

from toolkit.sample import generate_sample, write_sample


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    args = parser.parse_args()
    t0 = time.perf_counter()
    s = generate_sample(args.n, seed=2024)
    t1 = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        write_sample(tmp, n_students=args.n, seed=2024)
        size = sum(os.path.getsize(os.path.join(tmp, f)) for f in os.listdir(tmp))
    t2 = time.perf_counter()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    print(f"{'step':<28}{'seconds':>10}")
    print(f"{'generate':<28}{t1 - t0:>10.1f}")
    print(f"{'generate again and write':<28}{t2 - t1:>10.1f}")
    print(f"rows in wave 1: {len(s.export):,}; files: {size / 1e6:,.0f} MB; peak RSS {peak:.2f} GB; cores {os.cpu_count()}")


if __name__ == "__main__":
    main()
