"""File handling of ``toolkit scaling``: read scores and the profiles folder, write the study's tables and figures."""

from __future__ import annotations

from pathlib import Path

__all__ = ["run_scaling"]


def run_scaling(responses_dir, profiles_dir, out_dir, *, workload_path=None, wave2_path=None, codebook_path=None,
                seed=None, model=None, k=None, template_scope="school", min_cell=None,
                groups=None, students_per_owner=None, owner_kind="advisor", budget_minutes=None,
                time_log_path=None) -> list[str]:
    """Run the scaling study from files and write its outputs all at once; return the messages.

    Writes answer.md (the verdict for a principal), owner.csv (one owner's hours a week by way),
    budget.csv (every design against the weekly budget), owner_sensitivity.csv, costs.csv,
    fidelity.csv, tradeoff.csv, projection.csv, transfer.csv, transitions.csv (with a second
    wave), sensitivity.csv, workload.csv, time_log_template.csv, statements.md and five PNG figures
    (owner, costs, tradeoff, projection, sensitivity), every per-person figure in one owner's time a week.

    ``template_scope`` is who shares the templates: "owner" (each owner writes their own; "teacher"
    is the older name), "school" (default) or "district"; every table uses it. ``groups`` are the
    group columns for transfer: None (or empty) means the codebook's ``group_columns``; a column
    given that the scores lack is an error naming it.
    """
    import warnings

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .._atomic import atomic_output_dir
    from ..codebook import load_codebook
    from ..config import MIN_CELL
    from ..errors import user_error
    from ..scaling import load_workload, scaling_study
    from ._readers import find_codebook, read_profile_choice, read_scores_table

    min_cell = MIN_CELL if min_cell is None else min_cell
    messages = []
    explicit_groups = bool(groups)
    responses_dir = Path(responses_dir)
    if codebook_path is None:
        codebook_path = find_codebook(responses_dir, profiles_dir)
    cb = load_codebook(codebook_path) if codebook_path is not None else None
    constructs = tuple(cb.construct_keys) if cb is not None else ()
    groups = tuple(groups) if explicit_groups else (tuple(cb.group_columns) if cb is not None else ())
    if responses_dir.is_file():
        scores = read_scores_table(responses_dir, groups, "the scores file", constructs)
    elif (responses_dir / "scores.csv").is_file():
        scores = read_scores_table(responses_dir / "scores.csv", groups, "the scores file", constructs)
    elif (responses_dir / "responses.csv").is_file():
        if cb is None:
            raise user_error("responses.csv must be scored with its codebook, and none was found", file=responses_dir,
                             fix="pass --codebook, or give the folder of toolkit score")
        from ..scoring import score_scales

        responses = read_scores_table(responses_dir / "responses.csv",
                                      tuple(cb.group_columns) + tuple(cb.voice_columns), "the responses file",
                                      cb.item_ids)
        scores = score_scales(responses, cb)
        for g in cb.group_columns:
            if g in responses.columns and g not in scores.columns:
                scores[g] = responses[g].reindex(scores.index)
    else:
        raise user_error("no scores.csv or responses.csv in this folder", file=responses_dir,
                         fix="give the --out folder of toolkit score (or of toolkit deidentify)")
    wave2 = read_scores_table(Path(wave2_path), groups, "the wave-2 scores file", constructs) if wave2_path else None
    p_model, p_k = read_profile_choice(Path(profiles_dir))
    model = model or p_model or 1
    k = k or p_k
    workload = load_workload(workload_path)
    reliability = None
    rel_path = (responses_dir if responses_dir.is_dir() else responses_dir.parent) / "reliability.csv"
    if rel_path.is_file() and cb is not None:
        import pandas as pd

        rel = pd.read_csv(rel_path)
        if {"construct", "alpha"} <= set(rel.columns):
            reliability = {str(r.construct): float(r.alpha) for r in rel.itertuples() if r.alpha == r.alpha}
            if not set(cb.construct_keys) <= set(reliability):
                messages.append(f"Note: {rel_path.name} lacks a reliability for some constructs, so no benefit measure.")
                reliability = None
    if time_log_path is not None:
        from ..scaling import apply_time_log

        workload, logged = apply_time_log(workload, time_log_path)
        messages += logged
    missing = [g for g in groups if g not in scores.columns]
    if missing and explicit_groups:
        raise user_error("the scores have no such group column", file=responses_dir, column=missing[0],
                         fix="give a group column of the scores with --group (" +
                             ", ".join(c for c in scores.columns if c not in constructs) + "), or leave --group out "
                             "to use the codebook's group columns")
    if missing:
        messages.append("Note: the codebook's group column(s) " + ", ".join(missing) + " are not in the scores, so there "
                        "is no transfer over them.")
        groups = tuple(g for g in groups if g not in missing)
    owner_scope = "owner" if template_scope in ("teacher", "owner") else template_scope
    if cb is None:
        # Without a codebook, a numeric column of whole numbers only (a grade, a period) is a group,
        # not a scale score (a mean of several items).
        for frame in [scores] + ([wave2] if wave2 is not None else []):
            for c in list(frame.columns):
                if c not in groups and frame[c].dtype.kind == "f" and (frame[c].dropna() % 1 == 0).all():
                    frame[c] = frame[c].map(lambda v: "" if v != v else f"{v:g}")
        constructs = [c for c in scores.columns if scores[c].dtype.kind == "f"]
        messages.append(f"Note: no codebook found, so {', '.join(constructs)} are read as scale scores where higher "
                        f"is better; pass --codebook.")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the no-codebook warning is in the messages
        study = scaling_study(scores, workload=workload, model=model, wave2_scores=wave2, groups=groups,
                              random_state=seed, min_cell=min_cell, codebook=cb, k=k, template_scope=owner_scope,
                              students_per_owner=students_per_owner, owner_kind=owner_kind,
                              budget_minutes=budget_minutes, reliability=reliability)
    messages += [f"Note: {n}." for n in study.notes if n.startswith("waves:")]
    tables = {"owner": study.owner, "budget": study.budget,
              "owner_sensitivity": study.owner_settings["owner_sensitivity"],
              "owner_projection": study.owner_settings["projection"], "costs": study.costs, "fidelity": study.fidelity, "tradeoff": study.tradeoff,
              "projection": study.projection, "transfer": study.transfer, "transitions": study.transitions,
              "sensitivity": study.sensitivity, "workload": workload.to_frame()}
    with atomic_output_dir(out_dir, protect=[p for p in (responses_dir, wave2_path, workload_path, time_log_path) if p]) as tmp:
        for name, table in tables.items():
            if name == "transitions" and wave2 is None:
                continue
            table.to_csv(tmp / f"{name}.csv", index=False, float_format="%.6g", lineterminator="\n")
        from ..scaling import TIME_LOG_TEMPLATE

        (tmp / "time_log_template.csv").write_text(TIME_LOG_TEMPLATE, encoding="utf-8")
        (tmp / "answer.md").write_text("# The answer\n\n" + study.answer + "\n", encoding="utf-8")
        lines = [f"# Scaling study (K={study.k}, model {model}, seed {seed})", "", "## The answer", "", study.answer,
                 "", "## Details (one owner's time a week, the answer's denominator)", ""]
        lines += [f"- {s}" for s in study.statements]
        if study.notes:
            lines += ["", "## Notes", ""] + [f"- {n}" for n in study.notes]
        (tmp / "statements.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
        for name in ("owner", "costs", "tradeoff", "projection", "sensitivity"):
            fig, ax = plt.subplots(figsize=(8, 5))
            getattr(study, f"plot_{name}")(ax=ax)
            fig.tight_layout()
            fig.savefig(tmp / f"{name}.png", dpi=120, metadata={"Software": None})
            plt.close(fig)
    messages.append(f"Scaling study (K={study.k}) written to {out_dir}")
    messages.append(f"  {study.answer}")
    messages += [f"  {s}" for s in study.statements[:4]]
    return messages
