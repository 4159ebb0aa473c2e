"""Benchmark: the free-text scrubber and the export reader on hostile input, beside linear peers.

Run by hand from the repository root::

    .venv/bin/python benchmarks/scrub_hostile.py

Three parts, each printed as a table (times are the best of three runs, one process):

1. Long answers built to make a backtracking pattern blow up (those of
   ``tests/test_hostile_inputs.py``), scrubbed at one tenth of their length and at full length
   (about 100,000 characters). Linear time shows as a ratio near 10; a quadratic pattern would
   give about 100. Peers on the same text: ``str.lower`` and one ``re.sub`` of whitespace, the
   floor of any pass over the text.
2. Long repetitive answers of 60,000 characters made of a short unit (1-6 characters of
   ``a1 .@-+()/:#`` and a newline, 300 units drawn with a fixed seed; the property test of
   ``tests/privacy/test_privacy_properties.py`` draws from the same alphabet): the slowest
   units and the median.
3. ``toolkit deidentify`` on a Google Forms export with one 50 MB quoted cell, which it refuses
   (issue 16: it ran for more than 120 s before the cell limit).

Targets (issues 16 and 17): every hostile answer in under a second, linear growth, and the 50 MB
cell refused in seconds.
"""

from __future__ import annotations

import os
import random
import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from _exports import VOICE, codebook_yaml, google_columns, google_frame, write_google_csv  # noqa: E402
from click.testing import CliRunner  # noqa: E402
from test_hostile_inputs import HOSTILE, IDS, NAMES  # noqa: E402

from toolkit.cli import cli  # noqa: E402
from toolkit.scrub import scrub_text  # noqa: E402

ALPHABET = "a1 .@-+()/:#\n"


def best_of(fn, repeat=3):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def scrub(text):
    return scrub_text([text], names=NAMES, ids=IDS)


def part_hostile():
    print("\n1. hostile answers: seconds at 1/10 length and full length")
    print("| answer | characters | scrub 1/10 (s) | scrub (s) | ratio | str.lower (s) | re.sub whitespace (s) |")
    print("|---|---|---|---|---|---|---|")
    for text in HOSTILE:
        short = text[: len(text) // 10]
        a, b = best_of(lambda: scrub(short)), best_of(lambda: scrub(text))
        low = best_of(lambda: text.lower())
        ws = best_of(lambda: re.sub(r"\s+", " ", text))
        print(f"| {text[:8]!r}... | {len(text):,} | {a:.4f} | {b:.4f} | {b / a:.1f} | {low:.5f} | {ws:.5f} |")


def part_repetitive(n_units=300, seed=2026):
    rng = random.Random(seed)
    units = sorted({"".join(rng.choice(ALPHABET) for _ in range(rng.randint(1, 6)))
                    for _ in range(n_units)})
    rows = []
    for unit in units:
        text = (unit * (60_000 // len(unit) + 1))[:60_000]
        rows.append((best_of(lambda: scrub(text), repeat=1), unit))
    rows.sort(reverse=True)
    times = sorted(t for t, _ in rows)
    print(f"\n2. {len(units)} repetitive answers of 60,000 characters: median "
          f"{times[len(times) // 2]:.4f} s, slowest:")
    print("| unit | scrub (s) |")
    print("|---|---|")
    for t, unit in rows[:5]:
        print(f"| {unit!r} | {t:.4f} |")


def part_big_cell():
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        (tmp / "in").mkdir()
        frame = google_frame()
        frame.loc[1, VOICE] = "a.\n" * (50 * 2**20 // 3)  # lines of ordinary length, one huge cell
        path = write_google_csv(tmp / "in" / "big.csv", frame)
        (tmp / "cb.yml").write_text(codebook_yaml(google_columns()))
        t0 = time.perf_counter()
        result = CliRunner().invoke(cli, ["deidentify", str(path), "--codebook", str(tmp / "cb.yml"),
                                          "--out", str(tmp / "o")])
        wall = time.perf_counter() - t0
    print(f"\n3. a 50 MB cell: toolkit deidentify exit {result.exit_code} in {wall:.1f} s")


def main():
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"date {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, nproc {os.cpu_count()}, "
          f"load average {load:.1f}")
    part_hostile()
    part_repetitive()
    part_big_cell()


if __name__ == "__main__":
    main()
