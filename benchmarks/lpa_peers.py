"""Benchmark: the engine's 24-cell grid beside scikit-learn (and R's mclust when present), one run.

Run by hand from the repository root::

    .venv/bin/python benchmarks/lpa_peers.py              # every data set
    .venv/bin/python benchmarks/lpa_peers.py --only faithful,survey2800

The grid is tidyLPA's default: models 1, 2, 3, 6 (mclust EEI, VVI, EEE, VVV) by K = 1..6.

Data sets (all complete cases, raw values):

* ``diabetes`` 145 x 3, ``faithful`` 272 x 2, ``banknote`` 200 x 6: the R data sets of
  ``tests/data/profiles`` (see its README);
* ``pisa500`` 471 x 4: the complete cases of rows 1-500 of ``../shared/data/pisaUSA15.csv``
  (the peers need complete data; the engine's FIML is not used here);
* ``survey2800`` 2,758 x 5: the first five scale scores of a synthetic survey of 2,800 students
  (``toolkit.sample.generate_sample(2800, seed=2026)``, scored as the tests score the sample),
  complete cases.

Tools:

* ``engine``: :func:`toolkit.profiles.fit_profiles` with its defaults (one call for the whole
  grid, ``n_jobs=None``: one core), seed 2026; then, on a machine with more than one core,
  the same call with ``n_jobs=-1`` (the four models' chains on every core; the worker
  processes are started once before the first data set and that start-up is printed, not
  counted), which must give the same fits;
* ``sklearn``: ``sklearn.mixture.GaussianMixture`` with ``n_init=10`` and ``tol=1e-8``
  (``covariance_type`` diag, tied, full for models 2, 3, 6; scikit-learn has no EEI, so model 1
  is ``n/a``), seed 2026, 18 cells;
* ``mclust``: ``mclust::mclustBIC(X, G = 1:6, modelNames = c("EEI", "VVI", "EEE", "VVV"))`` timed
  inside R (``system.time``; R's start-up is not counted), LL recovered from BIC with the same
  parameter counts (``LL = (BIC + k ln n) / 2``); each cell's solution is then fitted again with
  ``Mclust`` (not timed) for the guard below. Only when ``Rscript`` is on the PATH with mclust
  and jsonlite (Debian: ``apt-get install r-base-core r-cran-mclust r-cran-jsonlite``); otherwise
  the column says so. Nothing else needs R.

Every tool runs with one BLAS thread. A peer's solution that the engine's guard would reject
(a profile smaller than its free parameters plus one, a variance under 0.01 of the variable's
variance, or a covariance eigenvalue under 1e-4 of the data's variances) is counted as spurious
and not compared: its likelihood is higher because a profile sits on a few cases, not because
it is a better fit. So is an mclust solution from which the engine's EM, continued, ends in
such a solution (mclust stops EM at a relative change of 1e-5: on faithful VVI K = 4 its
solution is a point on the way to a profile under the variance floor, not a maximum). Printed
per data set: wall and CPU seconds per tool, the number of cells where the engine is more than
0.01 below a peer's non-spurious solution or returns the cell collapsed (every start rejected
by its guard) where the peer has one, and those where it is
more than 0.01 above; then the machine's core count and load average.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from _profiles_helpers import continue_from  # noqa: E402

from toolkit.profiles import _guard, _structure, fit_profiles  # noqa: E402
from toolkit.profiles.model import EIG_TOL, VAR_FLOOR  # noqa: E402

SEED = 2026
MODELS = (1, 2, 3, 6)
KS = range(1, 7)
SKLEARN_TYPE = {2: "diag", 3: "tied", 6: "full"}
MCLUST_NAME = {1: "EEI", 2: "VVI", 3: "EEE", 6: "VVV"}
R_DATA = ROOT / "tests" / "data" / "profiles"
PISA = ROOT.parent / "shared" / "data" / "pisaUSA15.csv"


# ------------------------------------------------------------------------------------ data
def load_r(name):
    return pd.read_csv(R_DATA / f"{name}.csv").select_dtypes("number").dropna().to_numpy(float)


def load_pisa500():
    return pd.read_csv(PISA, na_values="NA").iloc[:500].dropna().to_numpy(float)


def load_survey(n=2800):
    from _sample_data import responses_from_export, scale_scores

    from toolkit.codebook import parse_codebook
    from toolkit.sample import generate_sample

    s = generate_sample(n, seed=SEED)
    cb = parse_codebook(s.codebook_yaml)
    scores = scale_scores(responses_from_export(s.export, cb), cb)
    return scores.iloc[:, :5].dropna().to_numpy(float)


DATASETS = {
    "diabetes": lambda: load_r("diabetes"),
    "faithful": lambda: load_r("faithful"),
    "banknote": lambda: load_r("banknote"),
    "pisa500": load_pisa500,
    "survey2800": load_survey,
}


# ------------------------------------------------------------------------------------ guard
def spurious(weights, covs, X, model):
    """Whether the engine's guard would reject this solution (see the module docstring)."""
    n, d = X.shape
    var = X.var(0)
    std = covs / np.sqrt(np.outer(var, var))
    if np.min(weights) * n < _guard.min_profile_count(model, d) - 1e-9:
        return True
    if np.linalg.eigvalsh(std).min() < EIG_TOL:
        return True
    return bool((np.diagonal(std, axis1=-2, axis2=-1) < VAR_FLOOR).any())


def leads_to_spurious(fit, X, model, k):
    """Whether the engine's EM continued from mclust's solution (a warm start) ends in a solution
    the guard rejects: mclust stops EM at a relative change of 1e-5, and on faithful VVI K = 4 its
    solution is a point on the way to a profile under the variance floor, not a maximum."""
    return bool(continue_from(fit, X, model, k).degenerate_)


# ------------------------------------------------------------------------------------ tools
def run_engine(X, n_jobs=None):
    cols = [f"x{j + 1}" for j in range(X.shape[1])]
    t0, c0 = time.perf_counter(), time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        res = fit_profiles(pd.DataFrame(X, columns=cols), n_profiles=KS, models=MODELS,
                           random_state=SEED, n_jobs=n_jobs)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    ll = {(m, k): (lpm.log_likelihood_, bool(lpm.degenerate_)) for (m, k), lpm in res.models.items()}
    return ll, wall, cpu


def run_sklearn(X):
    from sklearn.mixture import GaussianMixture

    n, d = X.shape
    out = {}
    t0, c0 = time.perf_counter(), time.process_time()
    for m, kind in SKLEARN_TYPE.items():
        for k in KS:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                gm = GaussianMixture(k, covariance_type=kind, n_init=10, tol=1e-8, max_iter=2000,
                                     random_state=SEED).fit(X)
            c = gm.covariances_
            covs = (c[..., None] * np.eye(d) if kind == "diag" else np.broadcast_to(c, (k, d, d))
                    if kind == "tied" else c)
            out[(m, k)] = (gm.score(X) * n, spurious(gm.weights_, covs, X, m))
    return out, time.perf_counter() - t0, time.process_time() - c0


R_SCRIPT = r"""
suppressMessages(library(mclust))
args <- commandArgs(trailingOnly = TRUE)
X <- as.matrix(read.csv(args[1], header = FALSE))
models <- c("EEI", "VVI", "EEE", "VVV")
# above mclust.options("subset") rows (2,000) the hierarchical start is computed on a random
# subset of rows: seeded, so that the run is repeatable and each Mclust below draws the same one
set.seed(2026)
tm <- system.time(b <- mclustBIC(X, G = 1:6, modelNames = models, verbose = FALSE))
out <- list(elapsed = unname(tm["elapsed"]), cpu = unname(tm["user.self"] + tm["sys.self"]), bic = list())
for (m in models) out$bic[[m]] <- unname(b[, m])
# not timed: each cell's solution again (same hierarchical start), for the engine's guard
out$fits <- list()
for (m in models) for (g in 1:6) {
  set.seed(2026)
  fit <- Mclust(X, G = g, modelNames = m, verbose = FALSE)
  if (!is.null(fit)) out$fits[[sprintf("%s/%d", m, g)]] <- list(
    pro = as.numeric(fit$parameters$pro),
    mean = lapply(seq_len(g), function(k) unname(as.numeric(fit$parameters$mean[, k]))),
    sigma = lapply(seq_len(g), function(k) unname(fit$parameters$variance$sigma[, , k])))
}
cat(jsonlite::toJSON(out, digits = NA, na = "null", auto_unbox = TRUE))
"""


def run_mclust(X):
    """mclustBIC through Rscript; (None, reason) when R or mclust is not available."""
    rscript = shutil.which("Rscript")
    if rscript is None:
        return None, "Rscript not found"
    n, d = X.shape
    with tempfile.TemporaryDirectory() as tmp:
        csv, script = Path(tmp) / "X.csv", Path(tmp) / "grid.R"
        np.savetxt(csv, X, delimiter=",", fmt="%.17g")
        script.write_text(R_SCRIPT, encoding="utf-8")
        proc = subprocess.run([rscript, str(script), str(csv)], capture_output=True, text=True)
    if proc.returncode != 0:
        return None, "mclust failed: " + (proc.stderr.strip().splitlines() or ["?"])[-1]
    doc = json.loads(proc.stdout)
    out = {}
    for m, name in MCLUST_NAME.items():
        for k, bic in zip(KS, doc["bic"][name]):
            if bic is None:
                continue
            kp = _structure.n_parameters(m, k, d)
            # mclust's BIC = 2 LL - k ln n; mclust has no minimum profile size or variance floor,
            # so its solution of the cell is put through the engine's guard like scikit-learn's
            fit = doc["fits"].get(f"{name}/{k}")
            bad = fit is not None and (spurious(np.atleast_1d(np.asarray(fit["pro"], dtype=float)),
                                                np.asarray(fit["sigma"], dtype=float).reshape(k, d, d), X, m)
                                       or leads_to_spurious(fit, X, m, k))
            out[(m, k)] = ((bic + kp * np.log(n)) / 2.0, bad)
    return (out, doc["elapsed"], doc["cpu"]), None


# ------------------------------------------------------------------------------------ report
def compare(engine, peer):
    """(cells where the engine is > 0.01 below the peer's valid LL, cells > 0.01 above).

    A cell the engine returns collapsed (every start rejected by its guard) where the peer has a
    solution the guard accepts counts as below: the engine gave no valid solution there.
    """
    below, above = [], []
    for cell, (ll_p, bad_p) in peer.items():
        if bad_p or cell not in engine:
            continue
        if engine[cell][1]:
            below.append(f"{cell[0]}/{cell[1]} (collapsed)")
            continue
        diff = engine[cell][0] - ll_p
        if diff < -0.01:
            below.append(f"{cell[0]}/{cell[1]} ({diff:+.2f})")
        elif diff > 0.01:
            above.append(f"{cell[0]}/{cell[1]} ({diff:+.2f})")
    return below, above


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--only", default=None, help="comma-separated data sets (default: all)")
    a = p.parse_args(argv)
    names = a.only.split(",") if a.only else list(DATASETS)
    print(f"date {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, nproc {os.cpu_count()}, "
          f"load average {os.getloadavg()[0]:.1f} (1 min) {os.getloadavg()[1]:.1f} (5 min)")
    rows = []
    every_core = (os.cpu_count() or 1) > 1
    if every_core:  # start the worker processes once, as a session's first parallel grid does
        t0 = time.perf_counter()
        run_engine(DATASETS["faithful"]()[:40, :1], n_jobs=-1)
        print(f"worker processes started in {time.perf_counter() - t0:.2f} s (not counted below)")
    for name in names:
        if name == "pisa500" and not PISA.exists():
            print(f"{name}: skipped ({PISA} not found)")
            continue
        X = DATASETS[name]()
        with threadpool_limits(limits=1, user_api="blas"):
            eng, e_wall, e_cpu = run_engine(X)
            if every_core:
                eng_all, all_wall, _ = run_engine(X, n_jobs=-1)
                assert eng_all == eng, "the grid on every core should give the one-core fits"
            skl, s_wall, s_cpu = run_sklearn(X)
            mc, why = run_mclust(X)
        s_below, s_above = compare(eng, skl)
        row = {
            "data": name, "n x d": f"{X.shape[0]} x {X.shape[1]}",
            "engine wall (s)": f"{e_wall:.2f}", "engine cpu (s)": f"{e_cpu:.2f}",
            "engine wall, every core (s)": f"{all_wall:.2f}" if every_core else "",
            "engine degenerate cells": sum(v[1] for v in eng.values()),
            "sklearn wall (s)": f"{s_wall:.2f}",
            "below sklearn": len(s_below), "above sklearn": len(s_above),
        }
        if mc is None:
            row.update({"mclust wall (s)": why, "below mclust": "", "above mclust": ""})
        else:
            m_ll, m_wall, _m_cpu = mc
            m_below, m_above = compare(eng, m_ll)
            row.update({"mclust wall (s)": f"{m_wall:.2f}", "below mclust": len(m_below),
                        "above mclust": len(m_above), "engine / mclust": f"{e_wall / m_wall:.2f}",
                        "every core / mclust": f"{all_wall / m_wall:.2f}" if every_core else ""})
            if m_below:
                print(f"  {name}: engine below mclust in {', '.join(m_below)}")
        if s_below:
            print(f"  {name}: engine below scikit-learn in {', '.join(s_below)}")
        rows.append(row)
        print(f"  {name} done (load average {os.getloadavg()[0]:.1f})", flush=True)
    table = pd.DataFrame(rows).fillna("")
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(table.to_string(index=False))
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
