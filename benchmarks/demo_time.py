"""Wall time of the demo: the whole pipeline on the bundled sample, as `toolkit demo` runs it.

Runs :func:`toolkit.pipeline.run_demo` on data/sample (every stage's command on wave 1 and wave 2,
then the report with the full default grid: models 1, 2, 3, 6 and K = 1..6) into a temporary
folder with a temporary key, and prints one Markdown table row for benchmarks/README.md (the
stages' own messages go to stderr-like noise above it). Target: under 60 s once the venv exists.

    .venv/bin/python benchmarks/demo_time.py [--repeat 2]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1, help="runs; the table shows each")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["TOOLKIT_KEY_FILE"] = str(Path(tmp) / "key" / "pseudonym.key")
        t0 = time.perf_counter()
        from toolkit.config import DEFAULT_SEED, SAMPLE_DIR
        from toolkit.cli.demo import run_demo

        t_import = time.perf_counter() - t0
        for i in range(args.repeat):
            start = time.perf_counter()
            run_demo(SAMPLE_DIR, Path(tmp) / f"demo{i}", seed=DEFAULT_SEED, progress=False)
            wall = time.perf_counter() - start
            load = os.getloadavg()[0]
            now = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
            print(f"| {now} | {os.cpu_count()} | {load:.1f} | {t_import:.1f} | {wall:.1f} |")


if __name__ == "__main__":
    main()
