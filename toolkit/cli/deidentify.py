"""File handling of ``toolkit deidentify``: read the export, codebook, key and roster; write the gate's outputs."""

from __future__ import annotations

from pathlib import Path

__all__ = ["run_deidentify", "read_roster"]


def read_roster(roster) -> list[str]:
    """Student names from a text file with one name a line (UTF-8); ``[]`` for ``None``."""
    from ..errors import user_error

    if roster is None:
        return []
    roster = Path(roster)
    if not roster.is_file():
        raise user_error("roster file not found", file=roster, fix="give a text file with one student name a line")
    data = roster.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:  # the line is named, never its text: it holds a name
        raise user_error("the roster file is not UTF-8 text", file=roster, row=data[:exc.start].count(b"\n") + 1,
                         fix="save it as UTF-8 (Notepad: Save as, Encoding UTF-8) and run again") from None
    return [line.strip() for line in text.splitlines() if line.strip()]


def run_deidentify(export, codebook_path, out_dir, *, key_file=None, min_answered: float = 0.5,
                   min_cell: int | None = None, allow_groups=(), roster=None) -> list[str]:
    """De-identify ``export`` into ``out_dir``; return the messages for the teacher.

    Writes responses.csv, ledger.csv, disclosure.md and disclosure.json, all at once.
    """
    from .._atomic import check_output_dir
    from ..codebook import load_codebook
    from ..config import MIN_CELL, default_key_file
    from ..errors import user_error
    from ..io import read_export, write_deidentified
    from ..privacy import deidentify, load_or_create_key
    from ..privacy.deidentify import WITHHELD_GROUP

    check_output_dir(out_dir, protect=[export])  # before any work: a wrong --out costs nothing
    min_cell = MIN_CELL if min_cell is None else min_cell
    key_path = Path(key_file or default_key_file()).expanduser()
    if Path(out_dir).resolve() in key_path.resolve().parents:
        raise user_error("the key file is inside the output folder, where it could be shared with the results",
                         file=key_path, fix="keep the key outside the project and the output folders")
    cb = load_codebook(codebook_path)
    names = read_roster(roster)
    raw = read_export(export, cb)
    new_key = not key_path.exists()
    key = load_or_create_key(key_path)
    result = deidentify(raw, cb, key=key, min_answered=min_answered, min_cell=min_cell,
                        allow_identifying_groups=allow_groups, roster=names)
    write_deidentified(result, out_dir, protect=[export])
    rows = result.disclosure.rows
    messages = []
    if new_key:
        messages.append(f"Made a new pseudonym key at {key_path}. Back it up: later waves need it to link.")
    messages.append(f"Read {rows['read']} rows ({raw.format}): kept {rows['kept']}, excluded {rows['excluded']} (see ledger.csv).")
    if raw.formula_cells:
        r, c = raw.formula_cells[0]
        messages.append(
            f"Note: {len(raw.formula_cells)} cell(s) of the workbook hold a formula (first: row {r}, column '{c}'); "
            "each was read as its text, never evaluated, and its row is flagged in ledger.csv. Check those cells in the export."
        )
    for col, info in result.disclosure.withheld_groups.items():
        messages.append(
            f"Note: {info['values']} value(s) of group column '{col}' ({info['rows']} row(s)) looked like a name, ID or "
            f"contact detail and were replaced by '{WITHHELD_GROUP}', so they are never printed as a group label. "
            "If a value is a real group, correct it in a copy of the export."
        )
    if not cb.id_column:
        messages.append("The codebook has no id_column: pseudonyms come from row numbers and do not link across waves.")
    messages.append(f"Wrote responses.csv, ledger.csv, disclosure.md and disclosure.json to {out_dir}")
    return messages
