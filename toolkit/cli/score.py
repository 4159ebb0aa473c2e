"""File handling of ``toolkit score``: read responses.csv and the codebook, write scores and reliability."""

from __future__ import annotations


__all__ = ["run_score"]


def _check_pseudonyms(responses, path) -> None:
    """Refuse empty or repeated pseudonyms: each row of responses.csv is one student."""
    import numpy as np

    from ..errors import user_error

    index = responses.index.to_series().astype(object)
    empty = index.isna().to_numpy() | (index.astype(str).str.strip() == "").to_numpy()
    if empty.any():
        i = int(np.flatnonzero(empty)[0])
        raise user_error(
            f"{int(empty.sum())} row(s) have an empty pseudonym, so their scores could not be told apart or linked",
            file=path, row=i + 2, column="pseudonym",
            fix="give the responses.csv written by toolkit deidentify unchanged (it never leaves a pseudonym empty), "
            "or run toolkit deidentify again",
        )
    dup = index.duplicated(keep="first").to_numpy()
    if dup.any():
        i = int(np.flatnonzero(dup)[0])
        first = int(np.flatnonzero((index == index.iloc[i]).to_numpy())[0])
        raise user_error(
            f"this pseudonym is also on row {first + 2}: {int(dup.sum())} row(s) repeat a student, whose scores would "
            "be counted twice",
            file=path, row=i + 2, column="pseudonym",  # the pseudonym itself is never printed
            fix="give the responses.csv written by toolkit deidentify (it keeps one row per student), "
            "not files joined together; run deidentify again on the export",
        )


def _check_min_items(min_items, codebook, path) -> None:
    """Refuse a whole-number --min-items larger than a scale: every score of that scale would be empty."""
    from ..errors import user_error

    if isinstance(min_items, bool) or not isinstance(min_items, (int, float)):
        return  # the scoring stage words that mistake
    if float(min_items).is_integer() and min_items > 1:
        short = [(c.key, len(c.item_ids)) for c in codebook.constructs if len(c.item_ids) < min_items]
        if short:
            names = ", ".join(f"'{k}' has {n}" for k, n in short[:5])
            raise user_error(
                f"--min-items {int(min_items)} asks for more answered items than a scale has ({names}), so every "
                "score of that scale would be empty",
                file=path,
                fix=f"use --min-items {min(n for _, n in short)} or less, or a share such as 0.5",
            )


def run_score(responses_path, codebook_path, out_dir, *, min_items: float = 0.5, method: str = "mean") -> list[str]:
    """Score the scales of a responses.csv and check their reliability; return the messages.

    Writes scores.csv (pseudonym, group columns, one column per construct), reliability.csv and
    items.csv, all at once. Messages that start with ``"Warning:"`` are reliability problems.

    Raises
    ------
    ToolkitError
        The output folder cannot be written; responses.csv has an empty or repeated pseudonym;
        ``min_items`` is a whole number larger than a scale's items; or a scoring error.
    """
    import warnings

    from .._atomic import atomic_output_dir, check_output_dir
    from .._csv import defuse_formulas
    from ..codebook import load_codebook
    from ..scoring import ReliabilityWarning, item_statistics, keyed_items, reliability, score_scales
    from ._readers import read_responses

    check_output_dir(out_dir, protect=[responses_path])
    cb = load_codebook(codebook_path)
    _check_min_items(min_items, cb, codebook_path)
    responses = read_responses(responses_path, cb)
    _check_pseudonyms(responses, responses_path)
    keyed_items(responses, cb, source=responses_path)  # errors name the file and its row
    scores = score_scales(responses, cb, min_items=min_items, method=method)  # 2.0 counts items, 0.5 is a share
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ReliabilityWarning)
        rel = reliability(responses, cb)
    items = item_statistics(responses, cb)
    groups = [c for c in cb.group_columns if c in responses.columns]
    table = defuse_formulas(responses[groups]).join(scores)  # group labels are typed by people too
    with atomic_output_dir(out_dir) as tmp:
        table.to_csv(tmp / "scores.csv", index_label="pseudonym", float_format="%.10g", lineterminator="\n")
        rel.to_csv(tmp / "reliability.csv", index=False, float_format="%.10g", lineterminator="\n")
        items.to_csv(tmp / "items.csv", index=False, float_format="%.10g", lineterminator="\n")
    messages = [f"Warning: {w.message}" for w in caught if issubclass(w.category, ReliabilityWarning)]
    messages.append(f"Scored {len(scores)} students on {scores.shape[1]} scales ({method}); wrote scores.csv, "
                    f"reliability.csv and items.csv to {out_dir}")
    return messages
