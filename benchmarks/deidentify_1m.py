"""Benchmark: read and de-identify a 1,000,000-row survey export; time and peak memory.

Target (issue 3): under 60 s and under 4 GB on a 2-core machine.

    .venv/bin/python benchmarks/deidentify_1m.py                 # 1,000,000 students
    .venv/bin/python benchmarks/deidentify_1m.py --rows 100000   # a quicker run

The export is made once with :func:`toolkit.sample.generate_sample` (the same generator as the
bundled sample, quirks included: duplicates, half-finished responses, planted identifiers) and
cached in ``--workdir``; making it is not timed. The timed part runs in a fresh process so that
its peak resident memory is that of reading + de-identifying + writing alone.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def make_export(workdir: Path, n: int) -> tuple[Path, Path]:
    from toolkit.sample import generate_sample

    export, codebook = workdir / f"export_{n}.csv", workdir / "codebook.yml"
    if not export.exists():
        t = time.perf_counter()
        s = generate_sample(n, seed=1)
        tmp = export.with_suffix(".partial")
        s.export.to_csv(tmp, index=False, lineterminator="\n")
        tmp.rename(export)
        codebook.write_text(s.codebook_yaml, encoding="utf-8")
        print(f"made {export} ({len(s.export):,} rows) in {time.perf_counter() - t:.0f} s", file=sys.stderr)
    return export, codebook


def measure(export: Path, codebook: Path, out: Path) -> dict:
    """Read, de-identify and write; seconds of each step and peak memory (this process)."""
    from toolkit.codebook import load_codebook
    from toolkit.io import read_export, write_deidentified
    from toolkit.privacy.deidentify import deidentify

    cb = load_codebook(codebook)
    key = os.urandom(32)  # a throwaway key: nothing here is kept
    t0 = time.perf_counter()
    raw = read_export(export, cb)
    t1 = time.perf_counter()
    result = deidentify(raw, cb, key=key)
    t2 = time.perf_counter()
    write_deidentified(result, out, protect=[export])
    t3 = time.perf_counter()
    return {
        "rows": int(raw.n_rows),
        "kept": int(result.disclosure.rows["kept"]),
        "read_s": round(t1 - t0, 1),
        "deidentify_s": round(t2 - t1, 1),
        "write_s": round(t3 - t2, 1),
        "read_plus_deidentify_s": round(t2 - t0, 1),
        "peak_rss_gb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2, 2),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000, help="students in the generated export")
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "toolkit-bench")
    ap.add_argument("--measure", nargs=3, metavar=("EXPORT", "CODEBOOK", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.measure:
        print(json.dumps(measure(*map(Path, args.measure))))
        return
    args.workdir.mkdir(parents=True, exist_ok=True)
    export, codebook = make_export(args.workdir, args.rows)
    out = Path(tempfile.mkdtemp(prefix="deid-out-", dir=args.workdir))
    load_before = os.getloadavg()[0]
    proc = subprocess.run(
        [sys.executable, __file__, "--measure", str(export), str(codebook), str(out)],
        check=True, capture_output=True, text=True,
    )
    res = json.loads(proc.stdout)
    res.update(
        {
            "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "cpu_count": os.cpu_count(),
            "load_average_before": round(load_before, 1),
            "load_average_after": round(os.getloadavg()[0], 1),
            "python": sys.version.split()[0],
        }
    )
    print(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
