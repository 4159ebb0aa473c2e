"""Benchmark: the tidyLPA grid with this engine, scikit-learn and StepMix; and a 1,000,000-row fit.

Run by hand from the repository root (needs ../shared/data/pisaUSA15.csv and the pip package
stepmix)::

    .venv/bin/python benchmarks/lpa_grid.py            # both cases
    .venv/bin/python benchmarks/lpa_grid.py --grid     # the grid only
    .venv/bin/python benchmarks/lpa_grid.py --large    # the 1,000,000-row case only

Case 1: models 1, 2, 3, 6 by K = 1..6 on the complete cases of pisaUSA15 (5,358 x 4,
standardised). Tools: this engine (defaults: 50 starts, 10 final, plus K - 1 split starts from
the K - 1 profile fit, tol 1e-8), scikit-learn
``GaussianMixture`` (n_init=10, default tol=1e-3 and strict tol=1e-8; model 1 has no
equivalent), StepMix (n_init=10, its defaults otherwise; model 1 has no equivalent).
Solutions with a collapsed profile (eigenvalue below 1e-4 of the data's variances, the
engine's rule) are marked '*' and not compared: their likelihood is unbounded, not better.
Prints the log-likelihood per cell and tool, the cells where the engine is below the best
other tool by more than 0.01, and the wall and CPU time per tool.

Case 2: 1,000,000 x 6 synthetic, model 2, K=4: wall time and peak memory of the fit.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time
import tracemalloc
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from toolkit.profiles import LatentProfileModel  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "pisaUSA15.csv"
SEED = 2026
MODELS = (1, 2, 3, 6)
KS = range(1, 7)
SKLEARN_TYPE = {2: "diag", 3: "tied", 6: "full"}
# Every tool runs with one BLAS thread (the engine limits itself to one anyway): on the two
# shared cores of the development machine, two-thread BLAS made the peers several times slower.
BLAS_THREADS = 1
STEPMIX_TYPE = {2: "gaussian_diag", 3: "gaussian_tied", 6: "gaussian_full"}


def load_pisa():
    df = pd.read_csv(DATA, na_values="NA").dropna()
    X = df.to_numpy(float)
    return (X - X.mean(0)) / X.std(0, ddof=1)


EIG_TOL = 1e-4  # the engine's degeneracy rule (toolkit.profiles.model.EIG_TOL)


def collapsed(covs, X):
    """A profile covariance with an eigenvalue < 1e-4 in units of the data's variances."""
    sd = X.std(0)
    return bool(np.linalg.eigvalsh(covs / np.outer(sd, sd)).min() < EIG_TOL)


def full_covariances(covs, kind, k, d):
    if kind in ("diag", "gaussian_diag"):
        return covs[..., None] * np.eye(d)
    if kind in ("tied", "gaussian_tied"):
        return np.broadcast_to(covs, (k, d, d))
    return covs


def fit_engine(X, model, k):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = LatentProfileModel(k, model=model, random_state=SEED).fit(X)
    return m.log_likelihood_, m.degenerate_


def fit_sklearn(X, model, k, tol):
    from sklearn.mixture import GaussianMixture

    if model not in SKLEARN_TYPE:
        return np.nan, False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        gm = GaussianMixture(
            k, covariance_type=SKLEARN_TYPE[model], n_init=10, tol=tol, random_state=SEED
        ).fit(X)
    covs = full_covariances(gm.covariances_, SKLEARN_TYPE[model], k, X.shape[1])
    return gm.score(X) * len(X), collapsed(covs, X)


def fit_stepmix(X, model, k):
    from stepmix.stepmix import StepMix

    if model not in STEPMIX_TYPE:
        return np.nan, False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sm = StepMix(
            n_components=k,
            measurement=STEPMIX_TYPE[model],
            n_init=10,
            random_state=SEED,
            verbose=0,
            progress_bar=0,
        ).fit(X)
    covs = sm.get_parameters()["measurement"]["covariances"]
    covs = full_covariances(covs, STEPMIX_TYPE[model], k, X.shape[1])
    return sm.score(X) * len(X), collapsed(covs, X)


def run_grid():
    X = load_pisa()
    print(f"pisaUSA15 complete cases, standardised: n={X.shape[0]}, d={X.shape[1]}")
    tools = {
        "engine": fit_engine,
        "sklearn_default": lambda X, m, k: fit_sklearn(X, m, k, 1e-3),
        "sklearn_strict": lambda X, m, k: fit_sklearn(X, m, k, 1e-8),
        "stepmix": fit_stepmix,
    }
    rows, times, cpu = [], {}, {}
    for name, fn in tools.items():
        t0, c0 = time.perf_counter(), time.process_time()
        for model in MODELS:
            for k in KS:
                with threadpool_limits(limits=BLAS_THREADS, user_api="blas"):
                    ll, degenerate = fn(X, model, k)
                rows.append((model, k, name, ll, degenerate))
        times[name] = time.perf_counter() - t0
        cpu[name] = time.process_time() - c0
        print(f"  {name}: wall {times[name]:.1f} s, cpu {cpu[name]:.1f} s", flush=True)
    long = pd.DataFrame(rows, columns=["model", "K", "tool", "LL", "degenerate"])
    ll = long.pivot(index=["model", "K"], columns="tool", values="LL")[list(tools)]
    deg = long.pivot(index=["model", "K"], columns="tool", values="degenerate")[list(tools)]
    # Degenerate solutions (a profile collapsed on heaped answers: unbounded likelihood) are
    # shown with a '*' and left out of the comparison.
    valid = ll.where(~deg.astype(bool))
    others = valid.drop(columns="engine").max(axis=1)
    diff = valid["engine"] - others
    shown = ll.map(lambda v: "n/a" if pd.isna(v) else f"{v:.3f}")
    shown = shown.where(~deg.astype(bool), shown + "*")
    shown["engine - best other"] = diff.map(lambda v: "" if pd.isna(v) else f"{v:+.3f}")
    with pd.option_context("display.width", 160):
        print(shown.to_string())
    print("* degenerate solution: a profile covariance eigenvalue < 1e-4 of the data variances")
    print(f"cells where the engine is more than 0.01 below the best other valid solution: "
          f"{int((diff < -0.01).sum())}")
    print("wall time per tool (s): " + ", ".join(f"{k}={v:.1f}" for k, v in times.items()))
    print("cpu time per tool (s): " + ", ".join(f"{k}={v:.1f}" for k, v in cpu.items()))
    print(
        f"engine / stepmix = {times['engine'] / times['stepmix']:.3f} (wall), "
        f"{cpu['engine'] / cpu['stepmix']:.3f} (cpu); "
        f"engine / sklearn_strict = {times['engine'] / times['sklearn_strict']:.3f} (wall), "
        f"{cpu['engine'] / cpu['sklearn_strict']:.3f} (cpu)"
    )


def run_large():
    rng = np.random.default_rng(SEED)
    n, d, k = 1_000_000, 6, 4
    means = rng.normal(0, 2.0, (k, d))
    sds = rng.uniform(0.5, 1.5, (k, d))
    labels = rng.choice(k, size=n, p=[0.4, 0.3, 0.2, 0.1])
    X = means[labels] + sds[labels] * rng.standard_normal((n, d))
    tracemalloc.start()
    t0 = time.perf_counter()
    m = LatentProfileModel(k, model=2, random_state=SEED).fit(X)
    elapsed = time.perf_counter() - t0
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"1,000,000 x 6, model 2, K=4: {elapsed:.1f} s, "
          f"peak traced memory {peak / 2**20:.0f} MiB, process max RSS {maxrss:.0f} MiB, "
          f"LL={m.log_likelihood_:.2f}, n_iter={m.n_iter_}, converged={m.converged_}, "
          f"replicated={m.replicated_}, load average {os.getloadavg()[0]:.1f}")
    from sklearn.metrics import adjusted_rand_score

    print(f"adjusted Rand index against the generating labels: "
          f"{adjusted_rand_score(labels, m.predict(X)):.4f}")


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--grid", action="store_true")
    p.add_argument("--large", action="store_true")
    a = p.parse_args(argv)
    both = not (a.grid or a.large)
    print(f"date {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, nproc {os.cpu_count()}, "
          f"load average {os.getloadavg()[0]:.1f}")
    if a.grid or both:
        run_grid()
    if a.large or both:
        run_large()


if __name__ == "__main__":
    main()
