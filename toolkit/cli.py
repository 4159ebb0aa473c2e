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


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``toolkit`` console script."""
    cli.main(args=argv, prog_name="toolkit")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
