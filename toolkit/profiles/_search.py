"""The search of a latent profile fit: which starts are run and which optimum is kept.

:class:`~toolkit.profiles.model.LatentProfileModel` calls :func:`search`; the constants below say
why each kind of start exists (measured on pisaUSA15 and R's faithful). Split from the estimator
so that each holds one topic; the order of the random draws is unchanged, so results are
bit-identical to the estimator's before the split.
"""

from __future__ import annotations

import hashlib
import warnings

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage

from . import _em, _structure

# Share of the random starts seeded by k-means++ (the others are random partitions): on the
# Likert data of pisaUSA15 k-means++ seeds reach the global optimum several times as often.
KMEANSPP_FRACTION = 0.5
# Best LL "replicated" when at least two final starts reach it within this tolerance.
REPLICATION_TOL = 0.01
# Early stopping of hopeless final starts by Aitken extrapolation (_em.run_em) is off: on
# pisaUSA15, EEE starts sit on long plateaus and then climb to the best optimum, which the
# extrapolation cannot foresee. Set a margin (e.g. 2.0) to trade reliability for speed.
ABANDON_MARGIN = None
# Split starts (hierarchical initialisation, as mclust's and the greedy mixture learning of
# Verbeek, Vlassis & Kroese 2003): for K >= 2 the model with K - 1 profiles is fitted too (same
# settings, without split starts of its own), and each of its profiles in turn is split in two
# along the principal axis of its members; these K - 1 starts are run to convergence besides the
# n_final best random starts. Why: on heaped data the best solution with K profiles is often the
# best one with K - 1 plus one split profile, and random starts reach it only from near the
# one-profile saddle, slowly and rarely, so no short-run ranking picks them. On pisaUSA15
# (complete cases) model 3 with K = 5 reaches -27140.30 only with 4% of the random starts, which
# look the worst for the first 40 iterations, so successive halving drops them (with seed 2026 the
# engine stopped at -27253.93); the K = 4 optimum is the K = 5 optimum with two profiles merged,
# and splitting that profile gets there in about 25 iterations. Simpler fixes measured and
# rejected: shrunken starting covariances, k-means (Lloyd) partitions, Ward partitions, a greedy
# chain of splits from K = 1 (misses the K = 4 optimum), split-and-merge moves from the K = 5
# local optimum, and splitting the 2nd and 3rd best K - 1 solutions too (no extra seed fixed).
# The split axis is a principal axis in units of the variables' SDs: in the variables' own units
# it followed the one with the largest spread (faithful's waiting in minutes, SD 13.6, against
# eruptions' 1.1), and faithful (raw) VVV K = 4 stopped at -1114.69 for seeds 2 and 3, flagged
# replicated, where the axis in SD units leads to -1112.81. Measured 2026-12-06: on the five
# benchmark sets (seed 2026) the same fits in every other cell but four (one replicated at the
# same LL, one 0.015 higher, banknote VVV K = 4 a valid -638.10 where it collapsed, banknote
# VVV K = 5 collapsed either way); on banknote for the tests' seeds 0-5, VVV K = 3 reaches
# -679.81 for every seed (-700.4 to -705.4 or collapsed before) and VVV K = 4 collapses in four
# seeds (two before); a grid's E-steps 4% fewer on diabetes, within 2% on the others.
# Cost: about one extra fit with K - 1 profiles (the benchmark grid takes 1.5-1.75 times as
# long). Skipped with n_starts=1 (one start asked for) and with init_params (a warm start
# already supplies the candidate), unless the caller passes the K - 1 fit itself: the bootstrap
# likelihood-ratio test warm-starts each K refit and passes its sample's own K - 1 refit, whose
# splits keep the K refit from stopping below it (a negative LRT).
SPLIT_STARTS = True
# One-variable starts: for each variable, the rows partitioned by a one-dimensional k-means of
# that variable (deterministic: centres started at quantiles), converged like the split starts.
# Why: on heaped Likert scores the best EEE solutions often slice one variable into its heaps
# (pisaUSA15 rows 1-500, model 3, K = 4: Mplus's -1840.85 puts the four profiles on the values
# of instrumental_mot); 4-8% of random starts reach it, the partition of that variable does.
# Measured and rejected as an origin of their own: Ward, average and complete linkage
# (mclust-style hierarchical initialisation) stop at -1921.36, -1927.65 and -1912.96 there.
VARIABLE_STARTS = True
# A Ward start: the rows (standardised, missing values at the mean) clustered by Ward's
# hierarchical method and the tree cut at K groups, converged like the split starts; one tree
# serves every K and model of the same rows. Why: on R's diabetes (standardised), VVI with
# K = 4, the default search of seeds 0-4 ended at -198.89 from four kinds of start (so it was
# flagged replicated) where seed 5 and 1,000 random starts reach -197.73; the Ward partition
# leads there for every seed. Measured on the five sets of benchmarks/lpa_peers.py (120 cells,
# seed 2026): the E-steps of a grid 5% fewer (diabetes) to 5% more (banknote), the times within
# their noise; of the cells not collapsed, three higher (pisa500 VVV K = 4 by 6.8, banknote
# VVI K = 5 by 0.9, faithful VVV K = 5 by 0.06), diabetes VVI K = 4 now replicated at the same
# LL, and one lower (faithful VVV K = 6 by 0.7, not replicated either way: its split starts
# come from the changed K = 5 fit). mclust starts its EM from the same kind of tree
# (model-based there); as an origin of its own, without the random starts, it stops below the
# best on pisaUSA15 (see VARIABLE_STARTS). Above _WARD_MAX_ROWS rows the tree is grown on that
# many rows (drawn by a generator of its own, so the caller's random_state draws are
# unchanged; mclust also clusters a subset) and every row goes to the nearest group mean.
WARD_STARTS = True
_WARD_MAX_ROWS = 2000
_ward_tree = {}  # one entry: (shape, digest of the standardised rows) -> (rows used, tree)
# Final starts are converged by SQUAREM-accelerated EM (_em.run_squarem, Varadhan and Roland
# 2008): the same fixed points with fewer EM steps; each extrapolation is kept only when it
# raises the log-likelihood and passes the degeneracy guard. The short EM of the random starts
# (successive halving) stays plain, so their ranking is unchanged.
ACCELERATE = True
# Widening: while the best log-likelihood is not reached by two converged starts of different
# kinds (origins), another n_starts random starts are run, at most MAX_WIDEN times.
MAX_WIDEN = 2
# Stacked starts are processed in chunks so that n * S * K stays below this many elements.
_MAX_BATCH_ELEMENTS = 6_000_000


#: Kinds of start (``start_origins_``): replication needs two kinds at the best optimum.
ORIGINS = ("warm start", "k-means++", "random partition", "one-variable k-means", "split",
           "Ward clustering")
ORIGIN_USER, ORIGIN_KMEANSPP, ORIGIN_RANDOM, ORIGIN_VARIABLE, ORIGIN_SPLIT, ORIGIN_WARD = range(6)


def search(est, data, Xs, ws, center, scale, K, model, diagonal, rng, opts, split_starts, parent):
    """Find the best optimum: returns the converged final starts and the search effort.

    ``est`` is the :class:`~toolkit.profiles.model.LatentProfileModel` being fitted: its settings
    (``n_starts``, ``n_final``, ``short_iter``, ``max_iter``, ``tol``, ``reg_covar``,
    ``init_params``) drive the search, and it makes the (K - 1)-profile fit of the split starts.

    1. Deterministic starts, always run to convergence: the warm start (``init_params``),
       one-variable k-means partitions (one per variable), the Ward partition (the rows' Ward
       tree cut at K groups) and the split starts (the K - 1 solution with one profile split,
       each in turn).
    2. ``n_starts`` random starts (k-means++ seeds and random partitions) get ``short_iter``
       EM iterations, and the better half another ``short_iter`` while it is more than
       ``n_final`` (successive halving); the ``n_final`` best are converged.
    3. While the best log-likelihood is not reached by two converged starts of different
       kinds, step 2 is repeated with fresh random starts (at most ``MAX_WIDEN`` times).
    """
    d = Xs.shape[1]
    Xc = Xs - center
    Xf = np.where(np.isnan(Xc), 0.0, Xc)
    chunk = max(1, _MAX_BATCH_ELEMENTS // max(1, data.n * K))
    det, det_origin = [], []
    if est.init_params is not None:
        det.append(user_start(est.init_params, center, K, d, model))
        det_origin.append(ORIGIN_USER)
    searching = K > 1 and est.init_params is None and est.n_starts > 1
    if searching and VARIABLE_STARTS:
        labels = _variable_partitions(Xc, scale, ws, K)
        if labels:
            det.append(params_from_labels(Xf, ws, labels, K, model, diagonal, est.reg_covar))
            det_origin += [ORIGIN_VARIABLE] * len(labels)
    if searching and WARD_STARTS:
        lab = _ward_partition(Xf, scale, K)
        if lab is not None:
            det.append(params_from_labels(Xf, ws, [lab], K, model, diagonal, est.reg_covar))
            det_origin.append(ORIGIN_WARD)
    warm_with_parent = K > 1 and est.init_params is not None and parent is not None
    if split_starts and (searching or warm_with_parent):
        sp = split_params(est, Xs, ws, center, scale, K, model, diagonal, parent)
        if sp is not None:
            det.append(sp)
            det_origin += [ORIGIN_SPLIT] * sp[0].shape[0]
    parts, n_rejected, n_run = [], 0, 0
    n_random = est.n_starts - (est.init_params is not None)
    if K == 1:  # every start is the same partition (all rows in one profile): one is enough
        n_random = min(n_random, 1)
    rounds = 1 + (MAX_WIDEN if searching else 0)
    n_widened = 0
    for r in range(rounds):
        if r > 0:
            n_widened += 1
        batches, origins = [], []
        if n_random > 0:
            params, kinds = random_starts(Xf, ws, K, model, diagonal, rng, n_random, est.reg_covar)
            n_run += n_random
            (p, it0, kinds, rej) = halving(data, params, kinds, chunk, opts, est.short_iter, est.n_final)
            n_rejected += rej
            batches.append((p, it0))
            origins.append(np.where(kinds, ORIGIN_KMEANSPP, ORIGIN_RANDOM))
        if r == 0 and det:
            p = tuple(np.concatenate([q[i] for q in det]) for i in range(3))
            batches.append((p, np.zeros(p[0].shape[0], dtype=int)))
            origins.append(np.asarray(det_origin, dtype=int))
        p = tuple(np.concatenate([b[0][i] for b in batches]) for i in range(3))
        it0 = np.concatenate([b[1] for b in batches])
        res = _run_chunks(data, p, chunk, max_iter=est.max_iter,
                          abandon_margin=ABANDON_MARGIN, accelerate=ACCELERATE, **opts)
        n_rejected += int(res[6].sum())
        parts.append(res[:4] + (res[4] + it0,) + res[5:] + (np.concatenate(origins),))
        final = tuple(np.concatenate([q[i] for q in parts]) for i in range(8))
        # every start collapsed: more of the same will not help (a smaller K will)
        if not searching or final[6].all() or _is_replicated(final[3], final[6], final[7],
                                                             est.tol):
            break
    return {"final": final, "n_rejected": n_rejected, "n_starts_run": n_run,
            "n_widened": n_widened, "n_starts_total": n_run + len(det_origin)}


def random_starts(Xf, w, K, model, diagonal, rng, n_random, reg_covar):
    """``n_random`` random starts: k-means++ seeds and random partitions, interleaved.

    The draws from ``rng`` are, in the order of the starts, a seed for each k-means++ start and
    a partition for each random one (and a partition for a k-means++ start that leaves a profile
    empty). The k-means++ centres of all seeds are computed together (:func:`_kmeans_plusplus`)
    and the rows assigned to them at once; only when a seed leaves a profile empty, which
    changes what is drawn next, are the draws made again one start at a time.
    """
    n = Xf.shape[0]
    kinds = [K > 1 and _is_kpp(s) for s in range(n_random)]
    kpp_at = [s for s, kpp in enumerate(kinds) if kpp]

    def draw(fallback=frozenset()):
        """The draws in order: each k-means++ seed (followed by a partition when its j-th seed
        is in ``fallback``) and each random partition."""
        out, j = [], 0
        for kpp in kinds:
            if not kpp:
                out.append(_random_partition(rng, n, K))
                continue
            seed = int(rng.randint(np.iinfo(np.int32).max))
            out.append(_random_partition(rng, n, K) if j in fallback else seed)
            j += 1
        return out

    state = rng.get_state()
    draws = draw()
    if kpp_at:
        nearest = _nearest_centre(Xf, _kmeans_plusplus(Xf, K, w, [draws[s] for s in kpp_at]))
        empty = frozenset(j for j, lab in enumerate(nearest) if np.bincount(lab, minlength=K).min() == 0)
        if empty:  # a fallback partition is drawn right after that seed: draw again in order
            rng.set_state(state)
            draws = draw(empty)
        for j, s in enumerate(kpp_at):
            if j not in empty:
                draws[s] = nearest[j]
    params = params_from_labels(Xf, w, draws, K, model, diagonal, reg_covar)
    return params, np.asarray(kinds, dtype=bool)


def _nearest_centre(X, centers):
    """For each set of centres (S, K, d), the index of each row's nearest centre: (S, n)."""
    out = np.empty((centers.shape[0], X.shape[0]), dtype=np.intp)
    step = max(1, _MAX_BATCH_ELEMENTS // max(1, X.size * centers.shape[1]))
    for a in range(0, centers.shape[0], step):
        c = centers[a : a + step]
        out[a : a + step] = ((X[None, :, None, :] - c[:, None]) ** 2).sum(-1).argmin(-1)
    return out


def halving(data, params, kinds, chunk, opts, short_iter, n_final):
    """Successive halving of random starts: the ``n_final`` best, their iterations so far,
    their kinds (True for k-means++) and the number rejected on the way.

    The short EM runs in single precision (:meth:`~toolkit.profiles._em.PreparedData.single`):
    it only ranks the starts; the ones kept are converged in double precision. Measured on
    the five data sets of ``benchmarks/lpa_peers.py``: the same fits in every cell, the 2,800-row
    survey's grid 20-25% faster (its halving took half its time), the sets of 145-471 rows 0-15%
    (their steps cost mostly numpy's call overhead, not arithmetic).
    """
    data = data.single()
    res = _run_chunks(data, params, chunk, max_iter=short_iter, **opts)
    weights, means, covs, ll, n_iter, _conv, degen = res
    n_rejected = int(degen.sum())
    ok = np.flatnonzero(~degen)
    ranked = ok[np.argsort(-ll[ok], kind="stable")]
    # Alternate the two kinds of start so that both reach the final phase: on pisaUSA15
    # the best EEE solutions come from k-means++ seeds for some K, random partitions for
    # others, and the short-phase ranking mixes them poorly.
    ranked = _interleave(ranked[kinds[ranked]], ranked[~kinds[ranked]])
    # The better half gets another short_iter iterations, again and again while it is more
    # than n_final starts, since early log-likelihoods rank starts poorly on heaped data (a
    # start can climb by hundreds of units late). Each round costs half the one before. A
    # round whose better half would be n_final starts or fewer is not run: it would choose
    # nothing, only give the n_final best plain EM steps that the final phase, accelerated,
    # runs anyway (on small data each round is 20 sequential steps of a cell).
    while ranked.size // 2 > n_final and short_iter > 0:
        mid = ranked[: ranked.size // 2]
        res = _run_chunks(
            data, (weights[mid], means[mid], covs[mid]), chunk,
            max_iter=short_iter, **opts,
        )
        weights[mid], means[mid], covs[mid], ll[mid] = res[:4]
        n_iter[mid] += res[4]
        degen[mid] |= res[6]
        n_rejected += int(res[6].sum())
        mid = mid[~res[6]]
        ranked = mid[np.argsort(-ll[mid], kind="stable")]
        ranked = _interleave(ranked[kinds[ranked]], ranked[~kinds[ranked]])
    if ranked.size == 0:  # every start collapsed: continue the least bad ones
        ranked = np.argsort(-np.nan_to_num(ll, nan=-np.inf), kind="stable")
    top = ranked[: n_final]
    return (weights[top], means[top], covs[top]), n_iter[top], kinds[top], n_rejected


def params_from_labels(Xf, w, labels, K, model, diagonal, reg_covar):
    """Stacked parameters (M-step) of the hard partitions ``labels`` of the centred rows."""
    n, d = Xf.shape
    S = len(labels)
    resp = np.zeros((K, S, n))
    resp[np.stack(labels, 0), np.arange(S)[:, None], np.arange(n)[None, :]] = 1.0
    init_data = _em.PreparedData(Xf, w, np.zeros(d), diagonal)
    zeros_m = np.zeros((S, K, d))
    pooled_model = 3 if model in (4, 5) else model
    wts, mus, covs = _em.m_step(
        init_data, resp, None, zeros_m, None, pooled_model, float(reg_covar)
    )
    if model in (4, 5):
        basis = _structure.covariance_basis(model, K, d)
        wts, mus, covs = _em.m_step(
            init_data, resp, None, zeros_m, covs, model, float(reg_covar), basis
        )
    return wts, mus, covs


def split_params(est, Xs, ws, center, scale, K, model, diagonal, parent=None):
    """Split starts: the K - 1 profile solution with one profile split in two, each in turn.

    ``parent`` is the fitted (K - 1)-profile model on the same rows (``fit_profiles`` passes
    the grid's own); without it, ``est`` fits it with the same settings (without split
    starts of its own). Rows go to their most likely profile, and a profile's rows are split
    by the sign of their projection on the first principal axis of the profile's (weighted)
    rows, in units of the variables' standard deviations (``scale`` holds their variances).
    Returns stacked parameters, or None when there is nothing to split.
    """
    if parent is None:
        parent = est._clone_for(K - 1)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parent._fit(Xs, ws, split_starts=False)
    if parent.degenerate_:
        return None
    data = _em.PreparedData(Xs, np.ones(Xs.shape[0]), center, diagonal)
    resp = _em.e_step(data, parent.weights_[None], (parent.means_ - center)[None],
                      parent.covariances_[None])[0]
    labels0 = data.unsort(resp[:, 0, :].T).argmax(axis=1)
    Xf = np.where(np.isnan(Xs), 0.0, Xs - center)
    # the principal axis in units of the variables' SDs, so that the split does not depend on
    # the units of the variables
    Z = Xf / np.sqrt(scale)
    labels = []
    for j in range(K - 1):
        idx = np.flatnonzero((labels0 == j) & (ws > 0))
        if idx.size < 2:
            continue
        sw = np.sqrt(ws[idx])[:, None]
        Y = Z[idx] - np.average(Z[idx], axis=0, weights=ws[idx])
        axis = np.linalg.svd(sw * Y, full_matrices=False)[2][0]
        side = idx[Y @ axis > 0]
        if side.size == 0 or side.size == idx.size:
            continue
        lab = labels0.copy()
        lab[side] = K - 1
        labels.append(lab)
    if not labels:
        return None
    return params_from_labels(Xf, ws, labels, K, model, diagonal, est.reg_covar)


def user_start(ip, center, K, d, model):
    """The warm start ``init_params`` as stacked parameters of the model's structure (centred)."""
    try:
        wts = np.asarray(ip["weights"], dtype=float).reshape(1, K)
        mus = np.asarray(ip["means"], dtype=float).reshape(1, K, d) - center
        covs = np.asarray(ip["covariances"], dtype=float).reshape(1, K, d, d)
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(
            "init_params should be a dict with 'weights' (K,), 'means' (K, d) and "
            f"'covariances' (K, d, d) for K={K}, d={d}: {exc}"
        ) from None
    wts = wts / wts.sum()
    if model in _em.DIAGONAL_MODELS:
        covs = np.diagonal(covs, axis1=2, axis2=3)[..., None] * np.eye(d)
    if model in _em.SHARED_COVARIANCE_MODELS:  # 1 and 3: the weighted pooled matrix
        pooled = (wts[..., None, None] * covs).sum(1, keepdims=True)
        covs = np.broadcast_to(pooled, covs.shape)
    if model in (4, 5):
        covs = _structure.project_to_structure(covs, _structure.covariance_basis(model, K, d))
    return wts, mus, np.array(covs)


def _replication_tol(best_ll, tol):
    """0.01, or what the stopping rule can resolve on very large data (|LL| ~ 1e7)."""
    return max(REPLICATION_TOL, 10.0 * float(tol) * abs(float(best_ll)))


def _is_replicated(ll, degenerate, origin, tol):
    """Whether the best non-degenerate LL is reached by two starts of different origins."""
    good = ~degenerate
    if not good.any():
        return False
    best = ll[good].max()
    at = good & (np.abs(ll - best) <= _replication_tol(best, tol))
    return at.sum() >= 2 and np.unique(origin[at]).size >= 2


def _top_two_origins(ll, origin, index):
    """The best start and the best start of another origin (or the runner-up)."""
    order = np.argsort(-ll, kind="stable")
    first = order[0]
    other = [j for j in order[1:] if origin[j] != origin[first]]
    rest = other[:1] or list(order[1:2])
    return index[np.array([first] + rest, dtype=int)]


def _variable_partitions(Xc, scale, w, K, n_iter=50):
    """For each variable, the rows partitioned by a 1-d k-means of its values (list of labels).

    Deterministic: centres start at the weighted quantiles (k + 1/2) / K (spread over the
    distinct values when heaps make quantiles coincide); a row missing the variable goes to the
    group whose centre is nearest the variable's mean. Variables with fewer than K distinct
    values, or whose partition has an empty group, give no start.
    """
    n, d = Xc.shape
    out = []
    for j in range(d):
        x = Xc[:, j]
        obs = ~np.isnan(x) & (w > 0)
        v = x[obs]
        u = np.unique(v)
        if u.size < K:
            continue
        c = np.quantile(v, (np.arange(K) + 0.5) / K)
        if np.unique(c).size < K:
            c = u[np.round(np.linspace(0, u.size - 1, K)).astype(int)]
        for _ in range(n_iter):
            lab = np.abs(v[:, None] - c[None, :]).argmin(1)
            cnt = np.bincount(lab, minlength=K)
            if cnt.min() == 0:
                break
            new = np.bincount(lab, weights=v, minlength=K) / cnt
            if np.array_equal(new, c):
                break
            c = new
        lab = np.abs(v[:, None] - c[None, :]).argmin(1)
        if np.bincount(lab, minlength=K).min() == 0:
            continue
        full = np.full(n, int(np.abs(c).argmin()))
        full[obs] = lab
        out.append(full)
    return out


def _kmeans_plusplus(X, K, w, seeds):
    """K centres by greedy k-means++ (Arthur and Vassilvitskii 2007) for each seed: (S, K, d).

    The algorithm and the random draws of ``sklearn.cluster.kmeans_plusplus`` with
    ``random_state=seed`` (first centre drawn by weight, then ``2 + int(log K)`` candidates drawn
    by weighted squared distance, the one lowering the potential most kept), without its
    per-call input validation, which took 40% of the grid's time on 145-row data (1,000 calls
    per grid), and with the seeds' array work done together: on small data each numpy call
    costs far more than its arithmetic, and a grid draws about 1,000 seeds. Distances are
    ``sum((x - c)^2)`` rather than scikit-learn's expanded form (the same centres, checked in
    the tests).
    """
    n, d = X.shape
    trials = 2 + int(np.log(K))
    # Each seed's draws are one stream of uniforms: ``RandomState.choice(n, p=p)`` takes one
    # (searched in the normalised cumulative weights, side "right"), ``uniform(size=trials)``
    # takes ``trials`` per further centre. Drawing each stream at once from one re-seeded
    # generator gives the same numbers as a RandomState per seed, which costs 60 times as much
    # to make.
    gen = np.random.RandomState()
    u = np.empty((len(seeds), 1 + (K - 1) * trials))
    for i, seed in enumerate(seeds):
        gen.seed(seed)
        u[i] = gen.random_sample(u.shape[1])
    S = len(seeds)
    centers = np.empty((S, K, d))
    cdf = (w / w.sum()).cumsum()
    cdf /= cdf[-1]
    first = cdf.searchsorted(u[:, 0], side="right")
    centers[:, 0] = X[first]
    # chunks of seeds bound the (seeds, trials, n, d) distance array on large data
    step = max(1, _MAX_BATCH_ELEMENTS // max(1, trials * X.size))
    for a in range(0, S, step):
        b = min(S, a + step)
        rows = np.arange(b - a)
        closest = ((X[None] - X[first[a:b]][:, None]) ** 2).sum(-1)  # (s, n)
        # the potentials one seed at a time: the same products as one seed alone, so that near-ties
        # between candidates break as they do in scikit-learn
        pot = np.array([closest[i] @ w for i in rows])
        for c in range(1, K):
            draws = u[a:b, 1 + (c - 1) * trials : 1 + c * trials] * pot[:, None]
            cum = np.cumsum(w * closest, axis=1)
            cand = np.array([np.searchsorted(cum[i], draws[i]) for i in rows])
            np.clip(cand, None, n - 1, out=cand)
            dist = ((X[None, None, :, :] - X[cand][:, :, None, :]) ** 2).sum(-1)  # (s, t, n)
            np.minimum(closest[:, None, :], dist, out=dist)
            pots = np.array([dist[i] @ w for i in rows])  # (s, t)
            best = pots.argmin(1)
            pot, closest = pots[rows, best], dist[rows, best]
            centers[a:b, c] = X[cand[rows, best]]
    return centers


def _is_kpp(s):
    """Whether start s (0-based) is a k-means++ start: a KMEANSPP_FRACTION share, spread out."""
    return int((s + 1) * KMEANSPP_FRACTION) > int(s * KMEANSPP_FRACTION)


def _interleave(a, b):
    """a[0], b[0], a[1], b[1], ... then the rest of the longer one."""
    m = min(a.size, b.size)
    head = np.column_stack([a[:m], b[:m]]).ravel()
    return np.concatenate([head, a[m:], b[m:]]).astype(int)


def _random_partition(rng, n, K):
    """Random partition of n rows into K non-empty groups."""
    for _ in range(20):
        lab = rng.randint(K, size=n)
        if np.bincount(lab, minlength=K).min() > 0:
            return lab
    lab = rng.permutation(n) % K
    return lab


def _run_chunks(data, params, chunk, *, ll_init=None, **kwargs):
    """run_em over chunks of stacked starts (bounds memory for large n)."""
    weights, means, covs = params
    S = weights.shape[0]
    outs = []
    for a in range(0, S, chunk):
        b = min(S, a + chunk)
        lli = None if ll_init is None else ll_init[a:b]
        outs.append(
            _em.run_em(data, weights[a:b], means[a:b], covs[a:b], ll_init=lli, **kwargs)
        )
    return tuple(np.concatenate([o[i] for o in outs]) for i in range(7))


def _ward_partition(Xf, scale, K):
    """The rows' Ward tree (see WARD_STARTS) cut at K groups: labels (n,), or None when a cut
    gives fewer than K groups (ties) or a group ends empty. ``Xf``: the centred rows with 0 for
    missing values; ``scale``: the variables' variances."""
    Y = Xf / np.sqrt(scale)
    key = (Y.shape, hashlib.blake2b(Y.tobytes(), digest_size=16).digest())
    entry = _ward_tree.get(key)
    if entry is None:
        n = Y.shape[0]
        rows = np.arange(n)
        if n > _WARD_MAX_ROWS:
            rows = np.sort(np.random.default_rng(0).choice(n, _WARD_MAX_ROWS, replace=False))
        entry = (rows, linkage(Y[rows], method="ward"))
        _ward_tree.clear()  # one entry (fits in threads at worst grow a tree twice)
        _ward_tree[key] = entry
    rows, tree = entry
    lab = fcluster(tree, K, criterion="maxclust") - 1
    if np.unique(lab).size < K:
        return None
    if rows.size < Y.shape[0]:
        centres = np.stack([Y[rows][lab == k].mean(0) for k in range(K)])
        lab = _nearest_centre(Y, centres[None])[0]
        if np.bincount(lab, minlength=K).min() == 0:
            return None
    return lab
