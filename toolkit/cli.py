"""The ``toolkit`` command.

Each pipeline stage has a sub-command; ``toolkit COMMAND --help`` shows an example. A mistake in
the input prints one message that names the file, row, column and value, and exits with status 2
(no traceback, no half-written output).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from . import __version__
from .config import DEFAULT_SEED, SAMPLE_DIR
from .errors import ToolkitError

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
    from .sample import write_sample

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
    from .pipeline import run_demo

    result = run_demo(SAMPLE_DIR, out_dir, seed=seed)
    click.echo(f"Demo written to {result}")


@cli.group()
def codebook():
    """Draft a codebook from an export."""


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
    from ._atomic import atomic_write_text
    from .codebook_draft import draft_codebook
    from .errors import user_error
    from .io import read_export

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
    from .codebook import load_codebook
    from .config import default_key_file
    from .errors import user_error
    from .io import read_export, write_deidentified
    from .privacy import deidentify as _deidentify, load_or_create_key

    key_path = (key_file or default_key_file()).expanduser()
    if Path(out_dir).resolve() in key_path.resolve().parents:
        raise user_error("the key file is inside the output folder, where it could be shared with the results",
                         file=key_path, fix="keep the key outside the project and the output folders")
    cb = load_codebook(codebook_path)
    names = []
    if roster is not None:
        if not roster.is_file():
            raise user_error("roster file not found", file=roster, fix="give a text file with one student name a line")
        names = [line.strip() for line in roster.read_text(encoding="utf-8-sig").splitlines() if line.strip()]
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
    click.echo(f"Wrote responses.csv, ledger.csv, disclosure.md and disclosure.json to {out_dir}")


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``toolkit`` console script."""
    cli.main(args=argv, prog_name="toolkit")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
