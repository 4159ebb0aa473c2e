"""The ``toolkit`` command: the click declarations of every sub-command, and nothing else.

Each command parses its options and ends in one call to a ``run_<stage>`` function of this
package (:mod:`toolkit.cli.deidentify`, :mod:`toolkit.cli.score`, ...), which reads the files,
calls the stage's public function and writes the outputs; the demo calls the same functions.

Each pipeline stage has a sub-command; ``toolkit COMMAND --help`` shows an example. A mistake in
the input prints one message that names the file, row, column and value, and exits with status 2
(no traceback, no half-written output).

The stage modules are imported inside the command functions, so that ``toolkit --help`` and a
mistake in the options answer at once, without loading pandas or matplotlib; at module level this
package imports only click and the foundations (config, errors, _validation).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .. import __version__
from .._validation import check_k_range, check_min_cell, check_models
from ..config import DEFAULT_K_RANGE, DEFAULT_MODELS, DEFAULT_SEED, MIN_CELL, SAMPLE_DIR
from ..errors import ToolkitError, user_error

__all__ = ["main", "cli"]


def _echo(messages) -> None:
    """Print a run function's messages: warnings and notes to standard error, the rest to standard output."""
    for m in messages:
        click.echo(m, err=m.startswith(("Warning", "Note")))


# Option checks: each hands the raw text to the one check of toolkit._validation, so the command line
# and the library give the same verdict and the same message (a ToolkitError, exit status 2).
def _models_option(ctx, param, value):
    return None if value is None else check_models(value, name="--models")


def _k_option(ctx, param, value):
    return None if value is None else check_k_range(value, name="--k")


def _one_k_option(ctx, param, value):
    if value is None:
        return None
    ks = check_k_range(value, name="--k")
    if len(ks) != 1:
        raise user_error("--k should be one number of profiles here", value=value, fix="use e.g. --k 4")
    return ks[0]


def _one_model_option(ctx, param, value):
    if value is None:
        return None
    models = check_models(value, name="--model")
    if len(models) != 1:
        raise user_error("--model should be one tidyLPA model number here", value=value, fix="use e.g. --model 1")
    return models[0]


def _min_cell_option(ctx, param, value):
    text = str(value).strip()
    return check_min_cell(int(text) if text.isdigit() else value, name="--min-cell")


def _choice_option(ctx, param, value):
    """``"1:4"`` -> ``(1, 4)``, each part checked as a model number and a number of profiles."""
    if not value:
        return None
    parts = str(value).replace(" ", "").split(":")
    if len(parts) != 2:
        raise user_error("--choose should be MODEL:K", value=value, fix="use e.g. --choose 1:4")
    models, ks = check_models(parts[0], name="--choose MODEL"), check_k_range(parts[1], name="--choose K")
    if len(models) != 1 or len(ks) != 1:
        raise user_error("--choose should be one MODEL:K", value=value, fix="use e.g. --choose 1:4")
    return models[0], ks[0]


_DEFAULT_MODELS = ",".join(str(m) for m in DEFAULT_MODELS)


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
      toolkit plans --responses work/clean --profiles work/profiles --out work/plans
      toolkit scaling --responses work/scores --profiles work/profiles --out work/scaling
      toolkit report export.csv --codebook codebook.yml --out reports/term1 --profiles work/profiles
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
    from .sample import run_sample

    _echo(run_sample(out_dir, n_students=n_students, seed=seed))


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
    from .codebook import run_codebook_init

    _echo(run_codebook_init(export, out_path, force=force))


@cli.command()
@click.argument("export", type=click.Path(path_type=Path))
@click.option("--codebook", "codebook_path", type=click.Path(path_type=Path), required=True, help="The codebook .yml.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True, help="Folder to write into (not the export's folder).")
@click.option("--key-file", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Pseudonym key file (default $TOOLKIT_KEY_FILE or ~/.config/learning-profiles-toolkit/pseudonym.key; made on first use).")
@click.option("--min-answered", type=click.FloatRange(0, 1), default=0.5, show_default=True, help="Smallest share of items answered to keep a response.")
@click.option("--min-cell", type=str, metavar="INTEGER", default=str(MIN_CELL), show_default=True, callback=_min_cell_option, help="Groups smaller than this are reported.")
@click.option("--allow-group", "allow_groups", multiple=True, help="Keep this group column although it looks identifying (repeatable).")
@click.option("--roster", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Text file of student names (one a line) to scrub from free text.")
def deidentify(export, codebook_path, out_dir, key_file, min_answered, min_cell, allow_groups, roster):
    """De-identify EXPORT: pseudonyms, scrubbed free text, a ledger of every row.

    Writes OUT/responses.csv, ledger.csv, disclosure.md and disclosure.json, all at once.

    \b
    Example:
      toolkit deidentify export.csv --codebook codebook.yml --out work/clean
    """
    from .deidentify import run_deidentify

    _echo(run_deidentify(export, codebook_path, out_dir, key_file=key_file, min_answered=min_answered,
                         min_cell=min_cell, allow_groups=allow_groups, roster=roster))


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
    from .score import run_score

    _echo(run_score(responses_path, codebook_path, out_dir, min_items=min_items, method=method))


@cli.command()
@click.argument("scores_path", metavar="SCORES", type=click.Path(path_type=Path))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True, help="Folder to write into.")
@click.option("--models", default=_DEFAULT_MODELS, show_default=True, callback=_models_option, help="tidyLPA model numbers to fit, comma-separated.")
@click.option("--k", "k_range", default=DEFAULT_K_RANGE, show_default=True, callback=_k_option, help="Numbers of profiles: a range (1-6) or a list (2,3,5).")
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True, help="Random seed; same seed, same files.")
@click.option("--blrt", type=click.IntRange(min=0), default=0, show_default=True, help="Bootstrap samples of the BLRT (0: no BLRT).")
@click.option("--vlmr", is_flag=True, help="Add the Vuong-Lo-Mendell-Rubin test.")
@click.option("--columns", default=None, help="Construct columns to use, comma-separated (default: the numeric non-group columns).")
@click.option("--codebook", "codebook_path", type=click.Path(dir_okay=False, path_type=Path), default=None, help="The codebook .yml (default: a codebook.yml in the scores' folder or up to two folders above it); gives group columns, labels and the hash.")
@click.option("--choose", default=None, callback=_choice_option, help="Write this solution instead of the recommended one, as MODEL:K (e.g. 1:4).")
@click.option("--jobs", type=click.IntRange(min=1), default=None, help="Parallel workers: the fits (default one after the other) and the BLRT (default every core); same results.")
@click.option("--n-starts", "n_starts", type=click.IntRange(min=1), default=None, help="Random starts per fit (default: the engine's; raise it when a warning says the best solution was not replicated).")
def profiles(scores_path, out_dir, models, k_range, seed, blrt, vlmr, columns, codebook_path, choose, jobs, n_starts):
    """Find learning profiles in SCORES (the scores.csv of toolkit score) by latent profile analysis.

    Fits every model and number of profiles asked for, recommends one solution and says why, and
    writes OUT/fit_table.csv, assignments.csv (pseudonym, profile, certainty, p1..pK),
    profiles.csv (profile means with 95% intervals and names) and model.json, all at once.

    \b
    Example:
      toolkit profiles work/scores/scores.csv --out work/profiles --models 1,2,3,6 --k 1-6 --blrt 100
    """
    from .profiles import run_profiles

    cols = [c.strip() for c in columns.split(",") if c.strip()] if columns else None
    _echo(run_profiles(scores_path, out_dir, models=models, ks=k_range, seed=seed, blrt=blrt,
                       vlmr=vlmr, columns=cols, codebook_path=codebook_path, choose=choose, n_jobs=jobs,
                       n_starts=n_starts))


@cli.group(invoke_without_command=True)
@click.option("--responses", "responses_dir", type=click.Path(file_okay=False, path_type=Path), default=None, help="Folder holding responses.csv (toolkit deidentify) and/or scores.csv (toolkit score).")
@click.option("--profiles", "profiles_dir", type=click.Path(file_okay=False, path_type=Path), default=None, help="Folder written by toolkit profiles (assignments.csv, profiles.csv).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None, help="Folder to write into (pseudonyms only, never a name).")
@click.option("--codebook", "codebook_path", type=click.Path(dir_okay=False, path_type=Path), default=None, help="The codebook .yml (default: a codebook.yml in the inputs' folders or up to two folders above them).")
@click.option("--library", "library_path", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Your strategy library .yml (default: the one shipped with the toolkit).")
@click.option("--goals", "goals_path", type=click.Path(dir_okay=False, path_type=Path), default=None, help="CSV of goals students wrote back (pseudonym, goal), put into the plans.")
@click.option("--fit-threshold", type=click.FloatRange(0, 1), default=0.7, show_default=True, help="Flag plans whose profile certainty is below this.")
@click.option("--atypical-z", type=click.FloatRange(min=0), default=2.0, show_default=True, help="Flag plans whose need differs from the profile's by more than this (standard units).")
@click.option("--roster", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Your roster CSV (student ID and name), for name-bearing sheets in --names-out only.")
@click.option("--key-file", type=click.Path(dir_okay=False, path_type=Path), default=None, help="The pseudonym key file that made the pseudonyms (default $TOOLKIT_KEY_FILE or ~/.config/...).")
@click.option("--names-out", "names_out", type=click.Path(file_okay=False, path_type=Path), default=None, help="Private folder for the name-bearing sheets (with --roster); never share it.")
@click.option("--answers", "answers_path", type=click.Path(dir_okay=False, path_type=Path), default=None, help="The students' filled co-writing sheets: the form's export (Google/Microsoft Forms, Qualtrics, CSV, .xlsx) or answers-template.csv filled in.")
@click.option("--previous", "previous_dir", type=click.Path(file_okay=False, path_type=Path), default=None, help="The previous cycle's --out folder: goals, choices and notes carried forward, changed profiles marked.")
@click.option("--start", "start", default=None, metavar="YYYY-MM-DD", help="First day of the cycle: start, review and check-in dates.")
@click.option("--paper", type=click.Choice(["A4", "letter"]), default="A4", show_default=True, help="Paper size of the printed sheets.")
@click.option("--pack-by", "pack_by", default=None, help="Group column of the class packs (default Section, else Class, else Grade).")
@click.pass_context
def plans(ctx, responses_dir, profiles_dir, out_dir, codebook_path, library_path, goals_path, fit_threshold, atypical_z, roster, key_file, names_out,
          answers_path, previous_dir, start, paper, pack_by):
    """Draft a plan template per profile and a light plan per student, with their own words.

    Writes OUT/plans.csv (one row per student, pseudonym only, with the group columns),
    templates.md, templates.csv, sheets/template-<k>.html, sheets/<pseudonym>.html (the agreed
    plan, written to the student), reflections/<pseudonym>.html (the co-writing sheet), pack/ (one
    printable class pack per section, with an index), form-questions.txt and answers-template.csv
    (to collect the sheets' answers), all at once. With --roster and --names-out, name-bearing
    copies of the sheets go only into the --names-out folder, which must stay private.

    \b
    Examples:
      toolkit plans --responses work/clean --profiles work/profiles --out work/plans --start 2026-09-07
      toolkit plans import answers.xlsx --plans work/plans --responses work/clean --profiles work/profiles
      toolkit plans --responses work/clean2 --profiles work/profiles2 --out work/plans2 --previous work/plans
    """
    if ctx.invoked_subcommand is not None:
        return
    from .plans import run_plans

    for value, flag in ((responses_dir, "--responses"), (profiles_dir, "--profiles"), (out_dir, "--out")):
        if value is None:
            raise user_error(f"toolkit plans needs {flag}",
                             fix="run e.g. toolkit plans --responses work/clean --profiles work/profiles --out work/plans")
    messages = run_plans(responses_dir, profiles_dir, out_dir, codebook_path=codebook_path, library_path=library_path,
                         roster=roster, key_file=key_file, names_out=names_out, goals_path=goals_path,
                         fit_threshold=fit_threshold, atypical_z=atypical_z, answers_path=answers_path,
                         previous_dir=previous_dir, start=start, paper=paper, pack_by=pack_by)
    for m in messages:
        click.echo(m, err=m.startswith("Warning"))


@plans.command("import")
@click.argument("answers_path", metavar="ANSWERS", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--plans", "plans_dir", type=click.Path(file_okay=False, path_type=Path), required=True, help="The --out folder of toolkit plans whose sheets the students filled in.")
@click.option("--responses", "responses_dir", type=click.Path(file_okay=False, path_type=Path), required=True, help="Folder holding responses.csv and/or scores.csv, as for toolkit plans.")
@click.option("--profiles", "profiles_dir", type=click.Path(file_okay=False, path_type=Path), required=True, help="Folder written by toolkit profiles, as for toolkit plans.")
@click.option("--codebook", "codebook_path", type=click.Path(dir_okay=False, path_type=Path), default=None, help="The codebook .yml (default: a codebook.yml in the inputs' folders or up to two folders above them).")
@click.option("--library", "library_path", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Your strategy library .yml (default: the one shipped with the toolkit).")
@click.option("--previous", "previous_dir", type=click.Path(file_okay=False, path_type=Path), default=None, help="The previous cycle's --out folder, as for toolkit plans.")
@click.option("--start", "start", default=None, metavar="YYYY-MM-DD", help="First day of the cycle.")
@click.option("--paper", type=click.Choice(["A4", "letter"]), default="A4", show_default=True, help="Paper size of the printed sheets.")
@click.option("--pack-by", "pack_by", default=None, help="Group column of the class packs.")
@click.option("--roster", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Your roster CSV, for name-bearing sheets in --names-out only.")
@click.option("--key-file", type=click.Path(dir_okay=False, path_type=Path), default=None, help="The pseudonym key file that made the pseudonyms.")
@click.option("--names-out", "names_out", type=click.Path(file_okay=False, path_type=Path), default=None, help="Private folder for the name-bearing sheets (with --roster).")
@click.option("--fit-threshold", type=click.FloatRange(0, 1), default=0.7, show_default=True, help="Flag plans whose profile certainty is below this.")
@click.option("--atypical-z", type=click.FloatRange(min=0), default=2.0, show_default=True, help="Flag plans whose need differs from the profile's by more than this.")
def plans_import(answers_path, plans_dir, responses_dir, profiles_dir, **kw):
    """Read the students' filled co-writing sheets (ANSWERS) and regenerate their plans and sheets.

    ANSWERS is the export of the form made from form-questions.txt, or answers-template.csv
    filled in. Written words are scrubbed of identifiers; students with no plan are reported and
    written to answers-unknown.csv, never dropped silently.

    \b
    Example:
      toolkit plans import answers.xlsx --plans work/plans --responses work/clean --profiles work/profiles
    """
    from .plans import run_import_answers

    _echo(run_import_answers(answers_path, plans_dir, responses_dir, profiles_dir, **kw))


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

    _echo(run_import_goals(goals_path, plans_dir))


@cli.command()
@click.option("--responses", "responses_dir", type=click.Path(path_type=Path), required=True, help="Folder holding scores.csv (toolkit score) or responses.csv (toolkit deidentify), or the scores.csv itself.")
@click.option("--profiles", "profiles_dir", type=click.Path(file_okay=False, path_type=Path), required=True, help="Folder written by toolkit profiles (the chosen model and K are read from it).")
@click.option("--workload", "workload_path", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Your workload assumptions (.yml); default the bundled ones.")
@click.option("--wave2", "wave2_path", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Scores CSV of wave 2, for the transition table.")
@click.option("--codebook", "codebook_path", type=click.Path(dir_okay=False, path_type=Path), default=None, help="The codebook .yml (default: a codebook.yml in the inputs' folders or up to two folders above them).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True, help="Folder to write into.")
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True, help="Random seed of the fits and the Monte Carlo.")
@click.option("--model", "model", type=str, metavar="MODEL", default=None, callback=_one_model_option, help="tidyLPA model number (default: the profiles folder's, else 1).")
@click.option("--k", "k", type=str, metavar="K", default=None, callback=_one_k_option, help="Number of profiles for costs and transfer (default: the profiles folder's, else the knee).")
@click.option("--template-scope", type=click.Choice(["owner", "school", "district", "teacher"]), default="school", show_default=True, help="Who shares the templates: each plan owner writes their own (teacher: the older name), the school, or the district.")
@click.option("--students-per-owner", type=click.FloatRange(min=0, min_open=True), default=None, help="Students one plan owner looks after (default: the workload's figure for the owner kind, about 19 for an advisor).")
@click.option("--owner-kind", type=click.Choice(["advisor", "subject teacher", "counsellor"]), default="advisor", show_default=True, help="Who owns the plans.")
@click.option("--budget-minutes", type=click.FloatRange(min=0), default=None, help="Minutes a week outside lessons one owner can give (default: the planning time in the workload).")
@click.option("--time-log", "time_log_path", type=click.Path(dir_okay=False, path_type=Path), default=None, help="CSV of your own timings (date, task, minutes, students) that replaces the assumptions it covers.")
@click.option("--min-cell", type=str, metavar="INTEGER", default=str(MIN_CELL), show_default=True, callback=_min_cell_option, help="Smallest group or count shown.")
@click.option("--group", "groups", multiple=True, default=(), help="Group column for leave-one-group-out transfer (repeatable; default: the codebook's group_columns).")
def scaling(responses_dir, profiles_dir, workload_path, wave2_path, codebook_path, out_dir, seed, model, k, template_scope, students_per_owner, owner_kind, budget_minutes, time_log_path, min_cell, groups):
    """The scaling study: one plan owner's time a week for each way of planning, from a class to a district.

    Writes OUT/answer.md (the verdict), owner.csv, budget.csv, costs.csv, fidelity.csv,
    tradeoff.csv, projection.csv, transfer.csv, transitions.csv, sensitivity.csv, workload.csv,
    statements.md and five PNG figures (owner, costs, trade-off, projection, sensitivity, all in one
    owner's minutes a week), all at once.

    \b
    Example:
      toolkit scaling --responses work/scores --profiles work/profiles --wave2 work/scores2/scores.csv --out work/scaling
    """
    from .scaling import run_scaling

    _echo(run_scaling(responses_dir, profiles_dir, out_dir, workload_path=workload_path, wave2_path=wave2_path,
                      codebook_path=codebook_path, seed=seed, model=model, k=k, template_scope=template_scope,
                      min_cell=min_cell, groups=groups, students_per_owner=students_per_owner, owner_kind=owner_kind,
                      budget_minutes=budget_minutes, time_log_path=time_log_path))


@cli.command()
@click.argument("export", type=click.Path(path_type=Path))
@click.option("--codebook", "codebook_path", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The codebook .yml.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True, help="Folder for report.html, report.ipynb and provenance.json (not the export's folder).")
@click.option("--key-file", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Pseudonym key file (default $TOOLKIT_KEY_FILE or ~/.config/learning-profiles-toolkit/pseudonym.key; made on first use).")
@click.option("--min-cell", type=str, metavar="INTEGER", default=str(MIN_CELL), show_default=True, callback=_min_cell_option, help="Smallest group shown; smaller counts are hidden.")
@click.option("--models", default=_DEFAULT_MODELS, show_default=True, callback=_models_option, help="tidyLPA model numbers to compare, comma-separated.")
@click.option("--k", "k_range", default=DEFAULT_K_RANGE, show_default=True, callback=_k_option, help="Numbers of profiles to compare: a range (1-6) or a list (2,3,5).")
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True, help="Random seed; same seed, same report.")
@click.option("--wave2", "wave2_path", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Export of a later wave of the same survey (profile changes).")
@click.option("--workload", "workload_path", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Your workload assumptions (.yml); default the bundled ones.")
@click.option("--profiles", "profiles_dir", type=click.Path(file_okay=False, path_type=Path), default=None, help="Folder of toolkit profiles: use its saved solution (model.json), the one the plans were drafted from, instead of fitting profiles again.")
@click.option("--n-starts", "n_starts", type=click.IntRange(min=1), default=None, help="Random starts per fit (default: the engine's; raise it when a warning says the best solution was not replicated).")
@click.option("--quiet", is_flag=True, help="No progress bar.")
def report(export, codebook_path, out_dir, key_file, min_cell, models, k_range, seed, wave2_path, workload_path, profiles_dir, n_starts, quiet):
    """Write the leadership report: one self-contained HTML page, no code, small groups hidden.

    \b
    Example:
      toolkit report export.csv --codebook codebook.yml --out reports/term1 --wave2 export_wave2.csv
      toolkit report export.csv --codebook codebook.yml --out reports/term1 --profiles work/profiles
    """
    from .report import run_report

    _echo(run_report(export, codebook_path, out_dir, key_file=key_file, min_cell=min_cell, models=models,
                     k=k_range, seed=seed, wave2_path=wave2_path, workload_path=workload_path,
                     profiles_dir=profiles_dir, n_starts=n_starts, progress=not quiet))


def _show_warning(message, category, filename, lineno, file=None, line=None) -> None:
    """A warning that reaches the terminal, said as the commands say theirs: ``Warning: ...``.

    Python's default shows the category and a source line of the toolkit's own code, which means
    nothing to a teacher. A warning about a file the teacher wrote (the codebook, issued with
    ``warnings.warn_explicit``) keeps the file's name and line.
    """
    where = "" if str(filename).endswith(".py") else f" ({Path(filename).name}, line {lineno})"
    click.echo(f"Warning{where}: {message}", err=True)


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``toolkit`` console script."""
    import warnings

    warnings.showwarning = _show_warning
    cli.main(args=argv, prog_name="toolkit")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
