"""Start-up time of `toolkit --help`, beside its peers, in one run (issue 17: target under 0.5 s).

Each command runs in a fresh interpreter, REPEAT times; the table gives the median and the
fastest wall time. Peers: a bare interpreter (the floor), importing click (what the help needs),
importing pandas (what an eager package would pay) and `import toolkit` (the package root, which
loads its names lazily).

Run from the project root: .venv/bin/python benchmarks/cli_startup.py
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

REPEAT = 15
PEERS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "python -c 'import click'": [sys.executable, "-c", "import click"],
    "python -c 'import toolkit'": [sys.executable, "-c", "import toolkit"],
    "python -c 'import pandas'": [sys.executable, "-c", "import pandas"],
    "toolkit --help": [sys.executable, "-m", "toolkit", "--help"],
}


def _time(cmd) -> list[float]:
    out = []
    for _ in range(REPEAT):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        out.append(time.perf_counter() - t0)
    return out


def main() -> None:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"cores {os.cpu_count()}, load average {load:.1f}, {REPEAT} runs each")
    print(f"| command | median (s) | fastest (s) |\n|---|---|---|")
    for name, cmd in PEERS.items():
        times = _time(cmd)
        print(f"| `{name}` | {statistics.median(times):.3f} | {min(times):.3f} |")


if __name__ == "__main__":
    main()
