"""File handling of ``toolkit sample``: write the synthetic survey exports."""

from __future__ import annotations

__all__ = ["run_sample"]


def run_sample(out_dir, *, n_students: int = 240, seed: int | None = None) -> list[str]:
    """Write the synthetic sample (exports, codebook, truth) into ``out_dir``; return the messages."""
    from ..config import DEFAULT_SEED
    from ..sample import write_sample

    seed = DEFAULT_SEED if seed is None else seed
    write_sample(out_dir, n_students=n_students, seed=seed)
    return [f"Wrote the synthetic sample ({n_students} students, seed {seed}) to {out_dir}"]
