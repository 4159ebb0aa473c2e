"""The ``toolkit`` command.

Each pipeline stage has a sub-command; ``toolkit COMMAND --help`` shows an example. A mistake in
the input prints one message that names the file, row, column and value, and exits with status 2
(no traceback, no half-written output).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .. import __version__
from ..config import DEFAULT_SEED, SAMPLE_DIR
from ..errors import ToolkitError

__all__ = ["main", "cli"]


class _Group(click.Group):
    """A click group that turns a user's mistake into one message and exit status 2."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except ToolkitError as exc:
            click.echo(f"Error: {exc}", err=True)
            ctx.exit(2)

    def list_commands(self, ctx):
        return list(self.commands)  # keep the order of the pipeline, not the alphabet


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="toolkit")
def cli():
    """Learning profiles and lightweight individual plans, from a student survey export.

    \b
    Start with the bundled synthetic sample:
      toolkit demo                      # the whole pipeline, into reports/demo/
    Or step by step on your own export:
      toolkit codebook init export.csv --out codebook.yml
      toolkit deidentify export.csv --codebook codebook.yml --out work/clean
      toolkit score work/clean/responses.csv --codebook codebook.yml --out work/scores
      toolkit profiles work/scores/scores.csv --out work/profiles
    """


@cli.command()
@click.option("--n", "n_students", type=click.IntRange(min=20), default=240, show_default=True, help="Students in wave 1.")
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True, help="Random seed; same seed, same files.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True, help="Folder to write into.")
def sample(n_students, seed, out_dir):
    """Make a synthetic survey export with a known truth (all identifiers fake).

    \b
    Example:
      toolkit sample --n 240 --seed 2024 --out data/sample
    """
    from ..sample import write_sample

    write_sample(out_dir, n_students=n_students, seed=seed)
    click.echo(f"Wrote the synthetic sample ({n_students} students, seed {seed}) to {out_dir}")


@cli.command()
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("reports/demo"), show_default=True, help="Folder to write into.")
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True, help="Random seed of the analysis.")
def demo(out_dir, seed):
    """Run every pipeline stage on the bundled sample and write the results.

    \b
    Example:
      toolkit demo --out reports/demo
    """
    from .demo import run_demo

    result = run_demo(SAMPLE_DIR, out_dir, seed=seed)
    click.echo(f"Demo written to {result}")


@cli.group()
def codebook():
    """Draft a codebook from an export.

    \b
    Example:
      toolkit codebook init export.csv --out codebook.yml
    """


@codebook.command("init")
@click.argument("export", type=click.Path(path_type=Path))
@click.option("--out", "out_path", type=click.Path(dir_okay=False, path_type=Path), required=True, help="Codebook file to write (.yml).")
@click.option("--force", is_flag=True, help="Replace an existing codebook file.")
def codebook_init(export, out_path, force):
    """Draft a codebook from EXPORT, with TODO marks for what a person must decide.

    \b
    Example:
      toolkit codebook init export.csv --out codebook.yml
    """
    from .._atomic import atomic_write_text
    from ..codebook_draft import draft_codebook
    from ..errors import user_error
    from ..io import read_export

    if out_path.resolve() == Path(export).resolve():
        raise user_error("the codebook would overwrite the export", file=out_path, fix="choose another --out file")
    if out_path.exists() and not force:
        raise user_error("the codebook file already exists and may hold your decisions", file=out_path,
                         fix="choose another --out file, or add --force to replace it")
    draft = draft_codebook(read_export(export))
    atomic_write_text(out_path, draft.yaml)
    counts = draft.columns["role"].value_counts()
    click.echo(
        f"Drafted {out_path}: {counts.get('item', 0)} items, {counts.get('group', 0)} group, "
        f"{counts.get('voice', 0)} free-text column(s). Check the TODO marks before using it."
    )


@cli.command()
@click.argument("export", type=click.Path(path_type=Path))
@click.option("--codebook", "codebook_path", type=click.Path(path_type=Path), required=True, help="The codebook .yml.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True, help="Folder to write into (not the export's folder).")
@click.option("--key-file", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Pseudonym key file (default $TOOLKIT_KEY_FILE or ~/.config/learning-profiles-toolkit/pseudonym.key; made on first use).")
@click.option("--min-answered", type=click.FloatRange(0, 1), default=0.5, show_default=True, help="Smallest share of items answered to keep a response.")
@click.option("--min-cell", type=click.IntRange(min=1), default=10, show_default=True, help="Groups smaller than this are reported.")
@click.option("--allow-group", "allow_groups", multiple=True, help="Keep this group column although it looks identifying (repeatable).")
@click.option("--roster", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Text file of student names (one a line) to scrub from free text.")
def deidentify(export, codebook_path, out_dir, key_file, min_answered, min_cell, allow_groups, roster):
    """De-identify EXPORT: pseudonyms, scrubbed free text, a ledger of every row.

    Writes OUT/responses.csv, ledger.csv, disclosure.md and disclosure.json, all at once.

    \b
    Example:
      toolkit deidentify export.csv --codebook codebook.yml --out work/clean
    """
    from ..codebook import load_codebook
    from ..config import default_key_file
    from ..errors import user_error
    from ..io import read_export, write_deidentified
    from ..privacy.deidentify import deidentify as _deidentify
    from ..privacy.keys import load_or_create_key

    key_path = (key_file or default_key_file()).expanduser()
    if Path(out_dir).resolve() in key_path.resolve().parents:
        raise user_error("the key file is inside the output folder, where it could be shared with the results",
                         file=key_path, fix="keep the key outside the project and the output folders")
    cb = load_codebook(codebook_path)
    names = []
    if roster is not None:
        if not roster.is_file():
            raise user_error("roster file not found", file=roster, fix="give a text file with one student name a line")
        data = roster.read_bytes()
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:  # the line is named, never its text: it holds a name
            raise user_error("the roster file is not UTF-8 text", file=roster, row=data[:exc.start].count(b"\n") + 1,
                             fix="save it as UTF-8 (Notepad: Save as, Encoding UTF-8) and run again") from None
        names = [line.strip() for line in text.splitlines() if line.strip()]
    raw = read_export(export, cb)
    new_key = not key_path.exists()
    key = load_or_create_key(key_path)
    result = _deidentify(raw, cb, key=key, min_answered=min_answered, min_cell=min_cell,
                         allow_identifying_groups=allow_groups, roster=names)
    write_deidentified(result, out_dir, protect=[export])
    rows = result.disclosure.rows
    if new_key:
        click.echo(f"Made a new pseudonym key at {key_path}. Back it up: later waves need it to link.")
    click.echo(f"Read {rows['read']} rows ({raw.format}): kept {rows['kept']}, excluded {rows['excluded']} (see ledger.csv).")
    if not cb.id_column:
        click.echo("The codebook has no id_column: pseudonyms come from row numbers and do not link across waves.")
    click.echo(f"Wrote responses.csv, ledger.csv, disclosure.md and disclosure.json to {out_dir}")


@cli.command()
@click.argument("responses_path", metavar="RESPONSES", type=click.Path(path_type=Path))
@click.option("--codebook", "codebook_path", type=click.Path(path_type=Path), required=True, help="The codebook .yml.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True, help="Folder to write into.")
@click.option("--min-items", type=float, default=0.5, show_default=True, help="Items a student must answer for a score: a share in (0, 1] or a whole number (2).")
@click.option("--method", type=click.Choice(["mean", "poms", "z"]), default="mean", show_default=True, help="mean: on the answer scale; poms: 0..1; z: standardised.")
def score(responses_path, codebook_path, out_dir, min_items, method):
    """Score the scales of RESPONSES (the responses.csv of toolkit deidentify) and check their reliability.

    Writes OUT/scores.csv (pseudonym, group columns, one column per construct), reliability.csv
    (alpha with its 95% interval, omega, mean inter-item r per construct) and items.csv (item
    statistics), all at once. Reliability problems are printed in words.

    \b
    Example:
      toolkit score work/clean/responses.csv --codebook codebook.yml --out work/scores
    """
    import warnings

    from .._atomic import atomic_output_dir
    from .._csv import defuse_formulas
    from ..codebook import load_codebook
    from ..scoring.reliability import ReliabilityWarning, item_statistics, reliability
    from ..scoring.scales import keyed_items, score_scales

    cb = load_codebook(codebook_path)
    responses = _read_responses(responses_path, cb)
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
    for w in caught:
        if issubclass(w.category, ReliabilityWarning):
            click.echo(f"Warning: {w.message}", err=True)
    click.echo(f"Scored {len(scores)} students on {scores.shape[1]} scales ({method}); wrote scores.csv, "
               f"reliability.csv and items.csv to {out_dir}")


def _read_responses(path: Path, codebook):
    """Read a responses.csv written by ``toolkit deidentify`` (index ``pseudonym``)."""
    import pandas as pd

    from ..errors import user_error

    if not Path(path).is_file():
        raise user_error("responses file not found", file=path,
                         fix="give the responses.csv written by toolkit deidentify")
    text_columns = ["pseudonym", *codebook.group_columns, *codebook.voice_columns]
    try:
        table = pd.read_csv(path, dtype={c: str for c in text_columns}, encoding="utf-8-sig")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise user_error(f"cannot read the responses as CSV ({str(exc).splitlines()[0]})", file=path,
                         fix="give the responses.csv written by toolkit deidentify") from None
    if "pseudonym" not in table.columns:
        raise user_error("the responses have no 'pseudonym' column", file=path,
                         fix="give the responses.csv written by toolkit deidentify, whose first column is pseudonym")
    return table.set_index("pseudonym")


@cli.command()
@click.argument("scores_path", metavar="SCORES", type=click.Path(path_type=Path))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True, help="Folder to write into.")
@click.option("--models", default="1,2,3,6", show_default=True, help="tidyLPA model numbers to fit, comma-separated.")
@click.option("--k", "k_range", default="1-6", show_default=True, help="Numbers of profiles: a range (1-6) or a list (2,3,4).")
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True, help="Random seed; same seed, same files.")
@click.option("--blrt", type=click.IntRange(min=0), default=0, show_default=True, help="Bootstrap samples of the BLRT (0: no BLRT).")
@click.option("--vlmr", is_flag=True, help="Add the Vuong-Lo-Mendell-Rubin test.")
@click.option("--columns", default=None, help="Construct columns to use, comma-separated (default: the numeric non-group columns).")
@click.option("--codebook", "codebook_path", type=click.Path(dir_okay=False, path_type=Path), default=None, help="The codebook .yml (default: codebook.yml beside the scores); gives group columns, labels and the hash.")
@click.option("--choose", default=None, help="Write this solution instead of the recommended one, as MODEL:K (e.g. 1:4).")
@click.option("--jobs", type=click.IntRange(min=1), default=1, show_default=True, help="Parallel workers for the fits and the BLRT (same results, sooner).")
def profiles(scores_path, out_dir, models, k_range, seed, blrt, vlmr, columns, codebook_path, choose, jobs):
    """Find learning profiles in SCORES (the scores.csv of toolkit score) by latent profile analysis.

    Fits every model and number of profiles asked for, recommends one solution and says why, and
    writes OUT/fit_table.csv, assignments.csv (pseudonym, profile, certainty, p1..pK),
    profiles.csv (profile means with 95% intervals and names) and model.json, all at once.

    \b
    Example:
      toolkit profiles work/scores/scores.csv --out work/profiles --models 1,2,3,6 --k 1-6 --blrt 100
    """
    from ..errors import user_error
    from .profiles import parse_k, parse_models, run_profiles

    pick = None
    if choose:
        try:
            m_txt, k_txt = choose.split(":")
            pick = (int(m_txt), int(k_txt))
        except ValueError:
            raise user_error("--choose should be MODEL:K", value=choose, fix="use e.g. --choose 1:4") from None
    cols = [c.strip() for c in columns.split(",") if c.strip()] if columns else None
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _res, rec, chosen, skipped = run_profiles(
            scores_path, out_dir, models=parse_models(models), ks=parse_k(k_range), seed=seed, blrt=blrt,
            vlmr=vlmr, columns=cols, codebook_path=codebook_path, choose=pick, n_jobs=jobs,
        )
    for w in caught:
        if not issubclass(w.category, (DeprecationWarning, PendingDeprecationWarning)):
            click.echo(f"Warning: {w.message}", err=True)
    if skipped:
        click.echo(f"Not analysed (group or text columns): {', '.join(skipped)}")
    click.echo(str(rec))
    click.echo(f"Wrote fit_table.csv, assignments.csv, profiles.csv and model.json (model {chosen[0]}, "
               f"{chosen[1]} profiles) to {out_dir}")


@cli.group(invoke_without_command=True)
@click.option("--responses", "responses_dir", type=click.Path(file_okay=False, path_type=Path), default=None, help="Folder holding responses.csv (toolkit deidentify) and/or scores.csv (toolkit score).")
@click.option("--profiles", "profiles_dir", type=click.Path(file_okay=False, path_type=Path), default=None, help="Folder written by toolkit profiles (assignments.csv, profiles.csv).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None, help="Folder to write into (pseudonyms only, never a name).")
@click.option("--codebook", "codebook_path", type=click.Path(dir_okay=False, path_type=Path), default=None, help="The codebook .yml (default: codebook.yml beside the responses or profiles).")
@click.option("--library", "library_path", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Your strategy library .yml (default: the one shipped with the toolkit).")
@click.option("--goals", "goals_path", type=click.Path(dir_okay=False, path_type=Path), default=None, help="CSV of goals students wrote back (pseudonym, goal), put into the plans.")
@click.option("--fit-threshold", type=click.FloatRange(0, 1), default=0.7, show_default=True, help="Flag plans whose profile certainty is below this.")
@click.option("--atypical-z", type=click.FloatRange(min=0), default=2.0, show_default=True, help="Flag plans whose need differs from the profile's by more than this (standard units).")
@click.option("--roster", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Your roster CSV (student ID and name), for name-bearing sheets in --names-out only.")
@click.option("--key-file", type=click.Path(dir_okay=False, path_type=Path), default=None, help="The pseudonym key file that made the pseudonyms (default $TOOLKIT_KEY_FILE or ~/.config/...).")
@click.option("--names-out", "names_out", type=click.Path(file_okay=False, path_type=Path), default=None, help="Private folder for the name-bearing sheets (with --roster); never share it.")
@click.pass_context
def plans(ctx, responses_dir, profiles_dir, out_dir, codebook_path, library_path, goals_path, fit_threshold, atypical_z, roster, key_file, names_out):
    """Draft a plan template per profile and a light plan per student, with their own words.

    Writes OUT/plans.csv (one row per student, pseudonym only), templates.md, templates.csv,
    sheets/template-<k>.html, sheets/<pseudonym>.html and reflections/<pseudonym>.html, all at
    once. With --roster and --names-out, name-bearing copies of the sheets go only into the
    --names-out folder, which must stay private.

    \b
    Examples:
      toolkit plans --responses work/clean --profiles work/profiles --out work/plans
      toolkit plans import-goals goals.csv --plans work/plans
    """
    if ctx.invoked_subcommand is not None:
        return
    from .plans import run_plans
    from ..errors import user_error

    for value, flag in ((responses_dir, "--responses"), (profiles_dir, "--profiles"), (out_dir, "--out")):
        if value is None:
            raise user_error(f"toolkit plans needs {flag}",
                             fix="run e.g. toolkit plans --responses work/clean --profiles work/profiles --out work/plans")
    messages = run_plans(responses_dir, profiles_dir, out_dir, codebook_path=codebook_path, library_path=library_path,
                         roster=roster, key_file=key_file, names_out=names_out, goals_path=goals_path,
                         fit_threshold=fit_threshold, atypical_z=atypical_z)
    for m in messages:
        click.echo(m, err=m.startswith("Warning"))


@plans.command("import-goals")
@click.argument("goals_path", metavar="GOALS.csv", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--plans", "plans_dir", type=click.Path(file_okay=False, path_type=Path), required=True, help="The --out folder of toolkit plans (holds plans.csv).")
def plans_import_goals(goals_path, plans_dir):
    """Read the goals students wrote on their reflection sheets into plans.csv.

    GOALS.csv has the columns pseudonym and goal. Goals are scrubbed of identifiers; pseudonyms
    with no plan are reported and written to goals-unknown.csv, never dropped silently.

    \b
    Example:
      toolkit plans import-goals goals.csv --plans work/plans
    """
    from .plans import run_import_goals

    for m in run_import_goals(goals_path, plans_dir):
        click.echo(m)


def _scaling_read_scores(path: Path, groups, what: str, numeric=()):
    """Read a scores CSV (index pseudonym): numeric columns as floats, group columns as text.

    A column of ``numeric`` (the codebook's constructs) holding a value that is not a number is a
    user error naming the file, its row as a spreadsheet shows it, the column and the value.
    """
    import pandas as pd

    from ..errors import user_error

    if not path.is_file():
        raise user_error(f"{what} not found", file=path, fix="give the scores.csv written by toolkit score")
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise user_error(f"{what} cannot be read as CSV ({type(exc).__name__})", file=path,
                         fix="give the scores.csv written by toolkit score") from None
    if raw.empty:
        raise user_error(f"{what} has no rows", file=path, fix="score the responses first (toolkit score)")
    index_col = "pseudonym" if "pseudonym" in raw.columns else raw.columns[0]
    raw = raw.set_index(index_col)
    raw.index.name = "pseudonym"
    for c in raw.columns:
        if c in groups:
            continue
        values = raw[c].str.strip().replace("", None)
        num = pd.to_numeric(values, errors="coerce")
        bad = num.isna() & values.notna()
        if c in numeric and bad.any():
            i = int(bad.to_numpy().argmax())
            raise user_error("a scale score is not a number", file=path, row=i + 2, column=c, value=values.iloc[i],
                             fix="correct the value or leave the cell empty, or re-run toolkit score")
        if not bad.any():
            raw[c] = num.astype(float)
    return raw


def _scaling_profile_choice(profiles_dir: Path):
    """(model number, K) of the solution the profiles stage chose, each None when not found."""
    import json

    import pandas as pd

    from ..errors import user_error

    if not profiles_dir.is_dir():
        raise user_error("profiles folder not found", file=profiles_dir,
                         fix="give the --out folder of toolkit profiles")
    model = k = None
    mj = profiles_dir / "model.json"
    if mj.is_file():
        try:
            meta = json.loads(mj.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError):
            raise user_error("model.json is not valid JSON", file=mj, fix="re-run toolkit profiles") from None
        if isinstance(meta, dict):
            for key in ("model", "model_number"):
                if isinstance(meta.get(key), int) and not isinstance(meta.get(key), bool):
                    model = meta[key]
                    break
            for key in ("n_profiles", "k"):
                if isinstance(meta.get(key), int) and not isinstance(meta.get(key), bool):
                    k = meta[key]
                    break
    asg = profiles_dir / "assignments.csv"
    if k is None and asg.is_file():
        try:
            head = pd.read_csv(asg, nrows=0, encoding="utf-8-sig").columns
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
            raise user_error(f"the assignments file cannot be read as CSV ({type(exc).__name__})", file=asg,
                             fix="re-run toolkit profiles, or pass --k") from None
        ps = [c for c in head if str(c)[:1] == "p" and str(c)[1:].isdigit()]
        k = len(ps) or None
    return model, k


@cli.command()
@click.option("--responses", "responses_dir", type=click.Path(path_type=Path), required=True, help="Folder holding scores.csv (toolkit score) or responses.csv (toolkit deidentify), or the scores.csv itself.")
@click.option("--profiles", "profiles_dir", type=click.Path(file_okay=False, path_type=Path), required=True, help="Folder written by toolkit profiles (the chosen model and K are read from it).")
@click.option("--workload", "workload_path", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Your workload assumptions (.yml); default the bundled ones.")
@click.option("--wave2", "wave2_path", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Scores CSV of wave 2, for the transition table.")
@click.option("--codebook", "codebook_path", type=click.Path(dir_okay=False, path_type=Path), default=None, help="The codebook .yml (default: codebook.yml found beside the scores or profiles).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True, help="Folder to write into.")
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True, help="Random seed of the fits and the Monte Carlo.")
@click.option("--model", "model", type=click.IntRange(1, 6), default=None, help="tidyLPA model number (default: the profiles folder's, else 1).")
@click.option("--k", "k", type=click.IntRange(min=1), default=None, help="Number of profiles for costs and transfer (default: the profiles folder's, else the knee).")
@click.option("--template-scope", type=click.Choice(["teacher", "school"]), default="teacher", show_default=True, help="Templates written by every teacher, or once per school and shared.")
@click.option("--min-cell", type=click.IntRange(min=1), default=10, show_default=True, help="Smallest group or count shown.")
@click.option("--group", "groups", multiple=True, default=("Section", "Grade"), show_default=True, help="Group column for leave-one-group-out transfer (repeatable).")
def scaling(responses_dir, profiles_dir, workload_path, wave2_path, codebook_path, out_dir, seed, model, k, template_scope, min_cell, groups):
    """The scaling study: teacher hours against plan fidelity, projected from a class to a district.

    Writes OUT/costs.csv, fidelity.csv, tradeoff.csv, projection.csv, transfer.csv,
    transitions.csv, sensitivity.csv, workload.csv, statements.md and four PNG figures, all at once.

    \b
    Example:
      toolkit scaling --responses work/scores --profiles work/profiles --wave2 work/scores2/scores.csv --out work/scaling
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .._atomic import atomic_output_dir
    from ..codebook import load_codebook
    from ..errors import user_error
    from ..scaling.study import scaling_study
    from ..scaling.workload import load_workload

    groups = tuple(groups)
    responses_dir = Path(responses_dir)
    folder = responses_dir if responses_dir.is_dir() else responses_dir.parent
    if codebook_path is None:
        found = [p / "codebook.yml" for p in (folder, folder.parent, Path(profiles_dir)) if (p / "codebook.yml").is_file()]
        codebook_path = found[0] if found else None
    cb = load_codebook(codebook_path) if codebook_path is not None else None
    constructs = tuple(cb.construct_keys) if cb is not None else ()
    if responses_dir.is_file():
        scores = _scaling_read_scores(responses_dir, groups, "the scores file", constructs)
    elif (responses_dir / "scores.csv").is_file():
        scores = _scaling_read_scores(responses_dir / "scores.csv", groups, "the scores file", constructs)
    elif (responses_dir / "responses.csv").is_file():
        if cb is None:
            raise user_error("responses.csv must be scored with its codebook, and none was found", file=responses_dir,
                             fix="pass --codebook, or give the folder of toolkit score")
        from ..scoring.scales import score_scales

        responses = _scaling_read_scores(responses_dir / "responses.csv", tuple(cb.group_columns) + tuple(cb.voice_columns), "the responses file")
        scores = score_scales(responses, cb)
        for g in cb.group_columns:
            if g in responses.columns and g not in scores.columns:
                scores[g] = responses[g].reindex(scores.index)
    else:
        raise user_error("no scores.csv or responses.csv in this folder", file=responses_dir,
                         fix="give the --out folder of toolkit score (or of toolkit deidentify)")
    wave2 = _scaling_read_scores(Path(wave2_path), groups, "the wave-2 scores file", constructs) if wave2_path else None
    p_model, p_k = _scaling_profile_choice(Path(profiles_dir))
    model = model or p_model or 1
    k = k or p_k
    workload = load_workload(workload_path)
    if cb is None:
        # Without a codebook, a numeric column of whole numbers only (a grade, a period) is a group,
        # not a scale score (a mean of several items).
        for frame in [scores] + ([wave2] if wave2 is not None else []):
            for c in list(frame.columns):
                if c not in groups and frame[c].dtype.kind == "f" and (frame[c].dropna() % 1 == 0).all():
                    frame[c] = frame[c].map(lambda v: "" if v != v else f"{v:g}")
        constructs = [c for c in scores.columns if scores[c].dtype.kind == "f"]
        click.echo(f"Note: no codebook found, so {', '.join(constructs)} are read as scale scores where higher is "
                   f"better; pass --codebook.", err=True)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the no-codebook warning was echoed above
        study = scaling_study(scores, workload=workload, model=model, wave2_scores=wave2, groups=groups,
                              random_state=seed, min_cell=min_cell, codebook=cb, k=k, template_scope=template_scope)
    tables = {"costs": study.costs, "fidelity": study.fidelity, "tradeoff": study.tradeoff,
              "projection": study.projection, "transfer": study.transfer, "transitions": study.transitions,
              "sensitivity": study.sensitivity, "workload": workload.to_frame()}
    with atomic_output_dir(out_dir, protect=[p for p in (responses_dir, wave2_path, workload_path) if p]) as tmp:
        for name, table in tables.items():
            if name == "transitions" and wave2 is None:
                continue
            table.to_csv(tmp / f"{name}.csv", index=False, float_format="%.6g", lineterminator="\n")
        lines = [f"# Scaling study (K={study.k}, model {model}, seed {seed})", ""]
        lines += [f"- {s}" for s in study.statements]
        if study.notes:
            lines += ["", "## Notes", ""] + [f"- {n}" for n in study.notes]
        (tmp / "statements.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
        for name in ("costs", "tradeoff", "projection", "sensitivity"):
            fig, ax = plt.subplots(figsize=(8, 5))
            getattr(study, f"plot_{name}")(ax=ax)
            fig.tight_layout()
            fig.savefig(tmp / f"{name}.png", dpi=120, metadata={"Software": None})
            plt.close(fig)
    click.echo(f"Scaling study (K={study.k}) written to {out_dir}")
    for s in study.statements[:4]:
        click.echo(f"  {s}")


@cli.command()
@click.argument("export", type=click.Path(path_type=Path))
@click.option("--codebook", "codebook_path", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The codebook .yml.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True, help="Folder for report.html, report.ipynb and provenance.json (not the export's folder).")
@click.option("--key-file", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Pseudonym key file (default $TOOLKIT_KEY_FILE or ~/.config/learning-profiles-toolkit/pseudonym.key; made on first use).")
@click.option("--min-cell", type=click.IntRange(min=1), default=10, show_default=True, help="Smallest group shown; smaller counts are hidden.")
@click.option("--models", default="1,2,3,6", show_default=True, help="tidyLPA model numbers to compare, comma-separated.")
@click.option("--k", "k_range", default="1-6", show_default=True, help="Numbers of profiles to compare, a range such as 1-6.")
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True, help="Random seed; same seed, same report.")
@click.option("--wave2", "wave2_path", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Export of a later wave of the same survey (profile changes).")
@click.option("--workload", "workload_path", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Your workload assumptions (.yml); default the bundled ones.")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def report(export, codebook_path, out_dir, key_file, min_cell, models, k_range, seed, wave2_path, workload_path, quiet):
    """Write the leadership report: one self-contained HTML page, no code, small groups hidden.

    \b
    Example:
      toolkit report export.csv --codebook codebook.yml --out reports/term1 --wave2 export_wave2.csv
    """
    from .profiles import parse_k, parse_models
    from ..report.build import build_report

    result = build_report(
        export, codebook_path, out_dir, key_file=key_file, min_cell=min_cell, models=parse_models(models),
        k=parse_k(k_range), seed=seed, wave2=wave2_path, workload=workload_path, progress=not quiet,
    )
    click.echo(f"Report written to {result.html} (executed notebook and provenance.json beside it)")


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``toolkit`` console script."""
    cli.main(args=argv, prog_name="toolkit")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
