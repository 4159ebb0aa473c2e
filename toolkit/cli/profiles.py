"""File edge of the profiles stage: read scores.csv, fit the grid, write the four outputs.

``toolkit profiles`` (in :mod:`toolkit.cli`) ends in one call to :func:`run_profiles`.
"""

from __future__ import annotations

from pathlib import Path

from .._words import count
from ..errors import user_error

__all__ = ["run_profiles", "fit_and_write"]

_FLOAT = "%.10g"


def run_profiles(scores_path, out_dir, *, models=(1, 2, 3, 6), ks=range(1, 7), seed=None, blrt=0, vlmr=False,
                 columns=None, codebook_path=None, choose=None, n_jobs=None, progress=None, n_starts=None) -> list[str]:
    """Fit the grid on a scores file, write its four outputs and return the messages for the teacher.

    Warnings of the fits (replication, degenerate solutions, small profiles) come first, each
    starting with ``"Warning:"``; then the columns not analysed, the recommendation in words and
    what was written.

    ``n_jobs=None`` fits the grid's models one after the other and runs the bootstrap samples of
    the BLRT on every core; ``progress=None`` shows progress bars (with the time left) on the
    standard error stream when it is a terminal.
    """
    import sys
    import warnings

    if progress is None:
        progress = bool(getattr(sys.stderr, "isatty", lambda: False)())

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _res, rec, chosen, skipped = fit_and_write(
            scores_path, out_dir, models=models, ks=ks, seed=seed, blrt=blrt, vlmr=vlmr, columns=columns,
            codebook_path=codebook_path, choose=choose, n_jobs=n_jobs, progress=progress, n_starts=n_starts,
        )
    messages = [f"Warning: {w.message}" for w in caught
                if not issubclass(w.category, (DeprecationWarning, PendingDeprecationWarning))]
    if skipped:
        messages.append(f"Not analysed (group or text columns): {', '.join(skipped)}")
    messages.append(str(rec))
    messages.append(f"Wrote fit_table.csv, assignments.csv, profiles.csv and model.json (model {chosen[0]}, "
                    f"{count(chosen[1], 'profile')}) to {out_dir}")
    return messages


def fit_and_write(scores_path, out_dir, *, models=(1, 2, 3, 6), ks=range(1, 7), seed=None, blrt=0, vlmr=False,
                  columns=None, codebook_path=None, choose=None, n_jobs=None, progress=False, n_starts=None):
    """Fit the grid on a scores file and write fit_table.csv, assignments.csv, profiles.csv and model.json.

    Returns
    -------
    results : ProfileResults
    recommendation : Recommendation
    chosen : tuple (model, K)
    skipped : list of str
    """
    from .._atomic import atomic_output_dir
    from ..codebook import load_codebook
    from ..profiles.persist import model_to_json
    from ..profiles.grid import fit_profiles
    from ._readers import find_codebook, read_scores_and_groups

    scores_path = Path(scores_path)
    cb_path = Path(codebook_path) if codebook_path else find_codebook(scores_path)
    cb = load_codebook(cb_path) if cb_path is not None else None
    groups = list(cb.group_columns) if cb is not None else None
    scores, group_table = read_scores_and_groups(scores_path, groups or (), "the scores file", columns=columns,
                                                 numeric=tuple(cb.construct_keys) if cb is not None else ())
    skipped = list(group_table.columns)
    labels = {c.key: c.label for c in cb.constructs} if cb is not None else None
    res = fit_profiles(
        scores, n_profiles=ks, models=models, random_state=seed, blrt=blrt > 0, n_bootstrap=max(1, blrt),
        vlmr=vlmr, labels=labels, n_jobs=n_jobs, progress=progress, n_starts=n_starts,
    )
    rec = res.recommend()
    chosen = (rec.model, rec.n_profiles) if choose is None else tuple(choose)
    sol = res.solution(*chosen)
    profiles = sol.profile_table
    assignments = sol.assignments.copy()
    assignments.index.name = "pseudonym"
    extra = {
        "recommendation": {"model": rec.model, "n_profiles": rec.n_profiles, "reasons": rec.reasons,
                           "warnings": rec.warnings},
        "chosen_by": "recommend" if choose is None else "user",
        "n_dropped": res.n_dropped,
        "seed": seed,
    }
    text = model_to_json(sol, codebook_sha256=cb.sha256 if cb is not None else None, extra=extra)
    outputs = ("fit_table.csv", "assignments.csv", "profiles.csv", "model.json")
    for name in outputs:
        if (Path(out_dir) / name).resolve() == scores_path.resolve():
            raise user_error("the output would overwrite the scores file", file=scores_path,
                             fix="choose another --out folder")
    with atomic_output_dir(out_dir) as tmp:
        res.fit_table.to_csv(tmp / "fit_table.csv", index=False, float_format=_FLOAT, lineterminator="\n")
        assignments.to_csv(tmp / "assignments.csv", float_format=_FLOAT, lineterminator="\n")
        profiles.to_csv(tmp / "profiles.csv", index=False, float_format=_FLOAT, lineterminator="\n")
        (tmp / "model.json").write_text(text, encoding="utf-8", newline="\n")
    return res, rec, chosen, skipped
