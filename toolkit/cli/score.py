"""File handling of ``toolkit score``: read responses.csv and the codebook, write scores and reliability."""

from __future__ import annotations


__all__ = ["run_score"]


def run_score(responses_path, codebook_path, out_dir, *, min_items: float = 0.5, method: str = "mean") -> list[str]:
    """Score the scales of a responses.csv and check their reliability; return the messages.

    Writes scores.csv (pseudonym, group columns, one column per construct), reliability.csv and
    items.csv, all at once. Messages that start with ``"Warning:"`` are reliability problems.
    """
    import warnings

    from .._atomic import atomic_output_dir
    from .._csv import defuse_formulas
    from ..codebook import load_codebook
    from ..scoring import ReliabilityWarning, item_statistics, keyed_items, reliability, score_scales
    from ._readers import read_responses

    cb = load_codebook(codebook_path)
    responses = read_responses(responses_path, cb)
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
