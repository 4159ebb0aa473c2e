"""The profiles of a saved solution (``toolkit profiles``' model.json), so the report and the plans agree."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from .._validation import ASSIGNMENTS_FIX, check_assignments
from .._words import count
from ..errors import user_error

__all__ = ["saved_solution", "read_saved", "how_chosen"]

_FIX = "give the --out folder of toolkit profiles (it holds model.json and assignments.csv), made from this export"


def saved_solution(profiles_dir, scores: pd.DataFrame, codebook):
    """The profile solution saved by ``toolkit profiles``, on this report's scores, checked against its assignments.

    Parameters
    ----------
    profiles_dir : path
        The folder written by ``toolkit profiles``: ``model.json`` (the fitted model, its profile
        names and how it was chosen) and ``assignments.csv`` (the profile of each pseudonym, which
        the plans were drafted from).
    scores : DataFrame
        The report's scale scores, index pseudonym (same export and key as the profiles).
    codebook : Codebook

    Returns
    -------
    solution : ProfileSolution
        The saved model applied to ``scores``, with the saved profile names.
    reasons : list of str
        Why this solution was chosen, as saved (the recommendation's reasons, or that a person
        chose it).

    Raises
    ------
    ToolkitError
        When a file is missing or unreadable, the scores were made with another codebook, or the
        students' profiles differ from the saved assignments (another export, another key, or
        edited files): then the report would not describe the plans' profiles.
    """
    from ..profiles import ProfileSolution

    model, meta, saved = read_saved(profiles_dir)
    mj, asg = Path(profiles_dir) / "model.json", Path(profiles_dir) / "assignments.csv"
    saved_sha = getattr(model, "codebook_sha256_", None)
    if saved_sha and saved_sha != codebook.sha256:
        raise user_error("the saved profiles were made with a different codebook", file=mj,
                         value=f"{codebook.sha256[:12]}... (profiles: {saved_sha[:12]}...)", fix=_FIX)
    cols = [str(c) for c in model.feature_names_in_]
    missing = [c for c in cols if c not in scores.columns]
    if missing:
        raise user_error("the report's scores lack a scale of the saved profiles", file=mj, column=missing[0], fix=_FIX)
    data = scores[cols].dropna(how="all")
    labels = {c.key: c.label for c in codebook.constructs}
    solution = ProfileSolution.from_model(model, data, labels=labels)
    names = getattr(model, "names_", None) or {}
    if names:
        solution.names = {int(k): names.get(int(k), solution.names.get(int(k), "")) for k in solution.sizes.index}
        if "name" in solution.profile_table.columns:
            solution.profile_table["name"] = solution.profile_table["profile"].map(solution.names)
    # The plans were drafted from assignments.csv: the report's profiles must be the same, student by student.
    ours = solution.assignments["profile"]
    common = saved.index.intersection(ours.index)
    if len(common) == 0:
        raise user_error("none of the report's students are in the saved profiles (another export or another key)",
                         file=asg, value=f"{len(saved)} saved, {len(ours)} in the report", fix=_FIX)
    differ = int((saved.loc[common] != ours.loc[common]).sum())
    if differ or len(common) != len(ours) or len(common) != len(saved):
        raise user_error("the saved profiles do not match this export: the report would describe other profiles "
                         "than the plans", file=asg,
                         value=f"{len(common)} students in both, {differ} in another profile, "
                               f"{len(ours) - len(common)} only in the report, {len(saved) - len(common)} only saved",
                         fix=_FIX)
    return solution, how_chosen(meta)


def read_saved(profiles_dir):
    """The files of a ``toolkit profiles`` folder, read and checked: ``(model, meta, profiles)``.

    ``model`` is the saved :class:`~toolkit.profiles.LatentProfileModel`, ``meta`` the whole of
    model.json, ``profiles`` each pseudonym's saved profile (assignments.csv checked by
    :func:`toolkit._validation.check_assignments` against the model's K). :func:`build_report`
    calls it before anything runs, so a bad folder is refused at once; :func:`saved_solution`
    calls it again in the report's kernel.

    Raises
    ------
    ToolkitError
        A missing folder or file, a model.json that cannot be read, or assignments that break
        the one rule for them (file, row, column and value named).
    """
    from ..profiles.persist import load_model

    folder = Path(profiles_dir)
    if not folder.is_dir():
        raise user_error("the profiles folder does not exist", file=folder, fix=_FIX)
    mj, asg = folder / "model.json", folder / "assignments.csv"
    for f in (mj, asg):
        if not f.is_file():
            raise user_error("the profiles folder has no " + f.name, file=f, fix=_FIX)
    model = load_model(mj)
    try:
        meta = json.loads(mj.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):  # load_model has read it already; belt and braces
        raise user_error("model.json is not valid JSON", file=mj, fix=_FIX) from None
    return model, meta, _read_assignments(asg, int(model.n_profiles))["profile"]


def _read_assignments(path: Path, n_profiles: int) -> pd.DataFrame:
    """assignments.csv read as ``toolkit plans`` reads it (text cells), checked by the one rule of the toolkit.

    The same file gets the same verdict and message here as from :func:`toolkit.cli._readers.read_assignments`:
    :func:`toolkit._validation.check_assignments` on the cells as written, against the saved K.
    """
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise user_error(f"the assignments file cannot be read as CSV ({type(exc).__name__})", file=path,
                         fix=ASSIGNMENTS_FIX) from None
    return check_assignments(table, file=path, n_profiles=n_profiles)


def how_chosen(meta: dict) -> list[str]:
    """Sentences saying how a saved solution was chosen, from the fields of its model.json."""
    rec = meta.get("recommendation") or {}
    k, m = meta.get("n_profiles"), meta.get("model")
    if meta.get("chosen_by") == "user":
        head = (f"A person chose this solution ({count(k, 'profile')}, model {m}) when the profiles were "
                f"saved; the toolkit had recommended {count(rec.get('n_profiles'), 'profile')} with model "
                f"{rec.get('model')}.")
        return [head]
    return [f"The toolkit recommended this solution ({count(k, 'profile')}, model {m}) when the profiles "
            "were saved:",
            *[str(r) for r in rec.get("reasons", [])], *[str(w) for w in rec.get("warnings", [])]]
