"""Benchmark: ``toolkit profiles --blrt 100`` over K = 1..6 of one model on the bundled sample.

Run by hand from the repository root::

    .venv/bin/python benchmarks/blrt_sample.py              # model 1, every core
    .venv/bin/python benchmarks/blrt_sample.py --jobs 1     # one core, for comparison

The sample's wave-1 scale scores (240 students x 6 scales, scored as the tests score them) are
written to a temporary scores.csv, and :func:`toolkit.cli.profiles.run_profiles` (what
``toolkit profiles`` calls) fits model 1 with K = 1..6 and the BLRT with 100 bootstrap samples
for each K = 2..6 (five tests, 500 bootstrap samples, each refitting K - 1 and K profiles).
``--jobs`` is passed as ``n_jobs``: the default (None) fits the grid on one core and runs the
bootstrap samples on every core, with a progress bar on the terminal. Prints the wall time, the
BLRT p-values, the core count and the load average.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from _sample_data import sample_scale_scores  # noqa: E402

from toolkit.cli.profiles import run_profiles  # noqa: E402


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--jobs", type=int, default=None)
    p.add_argument("--model", type=int, default=1)
    p.add_argument("--blrt", type=int, default=100)
    a = p.parse_args(argv)
    print(f"date {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, nproc {os.cpu_count()}, "
          f"load average {os.getloadavg()[0]:.1f}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        scores = Path(tmp) / "scores.csv"
        sample_scale_scores().to_csv(scores)
        t0 = time.perf_counter()
        run_profiles(scores, Path(tmp) / "out", models=[a.model], ks=range(1, 7), seed=2026, blrt=a.blrt,
                     n_jobs=a.jobs, progress=True)
        wall = time.perf_counter() - t0
        ft = pd.read_csv(Path(tmp) / "out" / "fit_table.csv")
    print(ft[["model", "n_profiles", "log_lik", "bic", "blrt_p"]].to_string(index=False))
    print(f"wall {wall:.1f} s for --blrt {a.blrt}, model {a.model}, K = 1..6, n_jobs={a.jobs}; "
          f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
