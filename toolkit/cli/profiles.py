"""File edge of the profiles stage: read scores.csv, fit the grid, write the four outputs.

``toolkit profiles`` (in :mod:`toolkit.cli`) ends in one call to :func:`run_profiles`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import user_error

__all__ = ["parse_k", "parse_models", "parse_choice", "read_scores", "run_profiles", "fit_and_write"]

_FLOAT = "%.10g"


def parse_models(text):
    """``"1,2,3,6"`` -> ``[1, 2, 3, 6]``; a mistake raises ToolkitError."""
    try:
        out = sorted({int(t) for t in str(text).replace(" ", "").split(",") if t})
    except ValueError:
        out = []
    if not out or any(m not in (1, 2, 3, 4, 5, 6) for m in out):
        raise user_error("--models should list tidyLPA model numbers 1..6", value=text, fix="use e.g. --models 1,2,3,6")
    return out


def parse_k(text):
    """``"1-6"`` or ``"2,3,4"`` -> list of K; a mistake raises ToolkitError."""
    s = str(text).replace(" ", "")
    try:
        if "-" in s:
            a, b = s.split("-", 1)
            out = list(range(int(a), int(b) + 1))
        else:
            out = sorted({int(t) for t in s.split(",") if t})
    except ValueError:
        out = []
    if not out or out[0] < 1:
        raise user_error("--k should be a range of numbers of profiles", value=text, fix="use e.g. --k 1-6 or --k 2,3,4")
    return out


def parse_choice(text):
    """``"1:4"`` -> ``(1, 4)``; ``None`` stays ``None``; a mistake raises ToolkitError."""
    if not text:
        return None
    try:
        m_txt, k_txt = str(text).split(":")
        return int(m_txt), int(k_txt)
    except ValueError:
        raise user_error("--choose should be MODEL:K", value=text, fix="use e.g. --choose 1:4") from None


def _find_codebook(scores_path):
    for folder in (scores_path.parent, scores_path.parent.parent, scores_path.parent.parent.parent):
        cand = folder / "codebook.yml"
        if cand.is_file():
            return cand
    return None


def read_scores(path, *, columns=None, groups=None):
    """Read a scores CSV (first column ``pseudonym``) and choose the construct columns.

    Parameters
    ----------
    path : path
    columns : list of str, optional
        The construct columns; by default every numeric column that is not a group column (a
        column at least half of whose values are numbers is a score column, and a value in it
        that is not a number is an error naming its row).
    groups : list of str, optional
        Group columns (never analysed). Without them, a numeric column holding only whole
        numbers with at most 20 distinct values (a grade, a section number) is taken as a group.

    Returns
    -------
    scores : DataFrame
        Index ``pseudonym``, the construct columns as floats.
    skipped : list of str
        Columns left out (groups and text).
    """
    path = Path(path)
    if not path.is_file():
        raise user_error("scores file not found", file=path, fix="give the scores.csv written by 'toolkit score'")
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        msg = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise user_error(f"the scores cannot be read as CSV ({msg})", file=path,
                         fix="give the scores.csv written by 'toolkit score'") from None
    if raw.shape[1] < 2:
        raise user_error("the scores file needs a pseudonym column and at least one score column", file=path,
                         fix="give the scores.csv written by 'toolkit score'")
    if raw.empty:
        raise user_error("the scores file has no rows", file=path, fix="score the responses first ('toolkit score')")
    index_col = "pseudonym" if "pseudonym" in raw.columns else raw.columns[0]
    ids = raw[index_col]
    dup = ids.duplicated()
    if dup.any():
        pos = int(np.flatnonzero(dup.to_numpy())[0])
        raise user_error("the pseudonym appears twice", file=path, row=pos + 2, column=index_col,
                         fix="keep one row per student")
    raw = raw.set_index(index_col)
    raw.index.name = "pseudonym"
    groups = set(groups or [])
    if columns:
        for c in columns:
            if c not in raw.columns:
                raise user_error("column not found in the scores", file=path, column=c,
                                 fix=f"choose among {', '.join(raw.columns)}")
        chosen = list(columns)
    else:
        chosen = []
        for c in raw.columns:
            if c in groups:
                continue
            values = raw[c].str.strip().replace("", None)
            num = pd.to_numeric(values, errors="coerce")
            n_num, n_given = int(num.notna().sum()), int(values.notna().sum())
            if n_num == 0 or n_num < 0.5 * n_given:
                continue  # text: a group column
            if n_num < n_given:
                chosen.append(c)  # a score column with a typo: reported below with its row
                continue
            if not groups:
                whole = np.allclose(num.dropna(), np.round(num.dropna()))
                if whole and num.nunique() <= 20:
                    continue  # a grade or a section number, not a scale score
            chosen.append(c)
        if not chosen:
            raise user_error("no numeric score columns were found", file=path,
                             fix="give the scores.csv written by 'toolkit score', or name the columns with --columns")
    skipped = [c for c in raw.columns if c not in chosen]
    out = {}
    for c in chosen:
        values = raw[c].str.strip()
        num = pd.to_numeric(values.replace("", None), errors="coerce")
        bad = num.isna() & values.ne("")
        if bad.any():
            pos = int(np.flatnonzero(bad.to_numpy())[0])
            raise user_error("the score is not a number", file=path, row=pos + 2, column=c, value=values.iloc[pos],
                             fix="fix the value or leave the cell empty")
        out[c] = num.astype(float).to_numpy()
    return pd.DataFrame(out, index=raw.index), skipped


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
                    f"{chosen[1]} profiles) to {out_dir}")
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

    scores_path = Path(scores_path)
    cb_path = Path(codebook_path) if codebook_path else _find_codebook(scores_path)
    cb = load_codebook(cb_path) if cb_path is not None else None
    groups = list(cb.group_columns) if cb is not None else None
    scores, skipped = read_scores(scores_path, columns=columns, groups=groups)
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
