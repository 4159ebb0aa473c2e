"""Read a survey export as it was downloaded, whatever platform made it.

:func:`read_export` recognises Google Forms CSVs, Microsoft Forms Excel files, Qualtrics CSVs
(the three-header-row layout with its ``ImportId`` row, and the legacy two-row layout), and plain
CSV or Excel files with one header row. Text files may be UTF-8 (with or without a byte-order
mark), UTF-16 or Windows-1252, separated by commas, semicolons or tabs.

The result, a :class:`RawExport`, keeps every cell as the text that was in the file: nothing is
converted, dropped or de-identified here. That is the job of :mod:`toolkit.privacy`, which also
turns answer labels into numbers with :func:`item_answers`.

Formula cells and sizes
-----------------------
A workbook cell that holds a formula is never evaluated and its cached result is not trusted
(another program may have written any value there): the cell is read as the formula's text,
``"=..."``, and listed in ``RawExport.formula_cells`` so the teacher is told. Outputs defuse
text that starts with ``=`` before it reaches a spreadsheet (:mod:`toolkit._csv`).

No cell may hold more than :data:`MAX_CELL_CHARS` characters and no line of a text export more
than :data:`MAX_LINE_CHARS`: a survey answer is never that long, and a hostile file must not keep
a command busy for minutes. The message names the row and column.

Row numbers
-----------
``RawExport.row_numbers`` gives, for each data row, its row number in the file as a spreadsheet
shows it: the first header row is row 1, so with one header row the first answer is row 2 and
with Qualtrics' three header rows it is row 4. A quoted cell that spans several lines is still one
row. Error messages and the ledger use these numbers, so a teacher can find the row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from ._io_codebook import _check_duplicates, _match_codebook, item_answers  # item_answers is re-exported
from ._io_formats import (
    _EXCEL_SUFFIXES,
    _TEXT_SUFFIXES,
    MAX_CELL_CHARS,
    MAX_LINE_CHARS,
    _check_cell_lengths,
    _check_line_lengths,
    _detect_delimiter,
    _detect_encoding,
    _read_excel,
    _read_text,
    _sha256,
)
from ._io_layout import _layout, platform_metadata_reason
from .codebook import Codebook
from .errors import user_error

__all__ = [
    "RawExport",
    "read_export",
    "item_answers",
    "write_deidentified",
    "platform_metadata_reason",
    "FORMATS",
    "MAX_CELL_CHARS",
    "MAX_LINE_CHARS",
]

#: Every value of ``RawExport.format``.
FORMATS = ("google_forms", "microsoft_forms", "qualtrics", "qualtrics_legacy", "csv", "excel")


@dataclass(frozen=True, eq=False)  # holds a DataFrame: compare its parts, not the whole
class RawExport:
    """A survey export as read, before any cleaning.

    Attributes
    ----------
    table : DataFrame
        One row per data row of the file, every cell the text that was in it (empty cells are
        ``""``). Headers are stripped of surrounding spaces; where the codebook spells a header
        differently only in case or spacing, or names a Qualtrics column by its question text,
        the header is the codebook's spelling.
    row_numbers : ndarray of int
        Row number in the file of each data row (the first header row is row 1).
    format : str
        One of :data:`FORMATS`.
    path : Path
        The file read.
    encoding : str
        Text encoding found (``"utf-8"``, ``"utf-8-sig"``, ``"utf-16"``, ``"cp1252"``), or
        ``"xlsx"`` for Excel files.
    delimiter : str
        Field separator of a text file; ``""`` for Excel.
    sha256 : str
        Hash of the file's bytes (provenance; also keys row-based pseudonyms to this file).
    question_text : dict
        Header -> question text from a Qualtrics question-text row (empty for other formats).
    header_rows : int
        How many header rows the file has (1, 2 or 3).
    formula_cells : tuple of (int, str)
        Workbook cells that held a formula, as (row number in the file, header): each was read as
        the formula's text, not evaluated. Empty for text files.
    """

    table: pd.DataFrame
    row_numbers: np.ndarray
    format: str
    path: Path
    encoding: str
    delimiter: str
    sha256: str = ""
    question_text: dict = field(default_factory=dict)
    header_rows: int = 1
    formula_cells: tuple = ()

    @property
    def n_rows(self) -> int:
        """Data rows read."""
        return len(self.table)


def read_export(path: str | PathLike, codebook: Codebook | None = None) -> RawExport:
    """Read a survey export and recognise the platform that made it.

    Parameters
    ----------
    path : path
        A ``.csv``/``.tsv``/``.txt`` text file or an ``.xlsx`` workbook (first sheet).
    codebook : Codebook, optional
        When given, every column it names must be in the export (headers are matched ignoring
        case and repeated spaces; a Qualtrics column by its id such as ``Q1_1`` or by its
        question text), and the table's headers take the codebook's spelling.

    Returns
    -------
    RawExport

    Raises
    ------
    ToolkitError
        The file is missing, empty, of an unknown format or unreadable encoding, has duplicate
        headers, no data rows, rows longer than its header, a cell longer than
        :data:`MAX_CELL_CHARS` or a line longer than :data:`MAX_LINE_CHARS`, or lacks columns the
        codebook names (the message lists the closest headers).

    Examples
    --------
    >>> from toolkit.config import SAMPLE_DIR
    >>> from toolkit.codebook import load_codebook
    >>> raw = read_export(SAMPLE_DIR / "survey_export.csv", load_codebook(SAMPLE_DIR / "codebook.yml"))
    >>> raw.format, int(raw.row_numbers[0])
    ('google_forms', 2)
    """
    path = Path(path)
    if not path.exists():
        raise user_error("export file not found", file=path, fix="check the path and the file name")
    if not path.is_file():
        raise user_error("this is a folder, not an export file", file=path, fix="give the path of the exported .csv or .xlsx file")
    size = path.stat().st_size
    if size == 0:
        raise user_error("the export file is empty (0 bytes)", file=path, fix="download the export again")
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise user_error(f"the export file cannot be opened ({exc.strerror or type(exc).__name__})", file=path,
                         fix="check that you may read it and that no other program holds it open") from None
    suffix = path.suffix.lower()
    digest = _sha256(path)

    if head.startswith(b"PK\x03\x04") or suffix in _EXCEL_SUFFIXES:
        if not head.startswith(b"PK\x03\x04"):
            raise user_error(
                "the file is named like an Excel workbook but is not one", file=path,
                fix="open it in Excel and save it again as .xlsx, or export CSV from the survey platform",
            )
        grid, formulas = _read_excel(path)
        encoding, delimiter = "xlsx", ""
    elif head.startswith(b"\xd0\xcf\x11\xe0") or suffix not in _TEXT_SUFFIXES:
        raise user_error(
            f"unknown export format (suffix '{suffix or 'none'}'); the toolkit reads CSV, TSV and .xlsx exports",
            file=path,
            fix="download the responses from Google Forms, Microsoft Forms or Qualtrics as CSV or .xlsx (save old .xls files as .xlsx)",
        )
    else:
        encoding = _detect_encoding(path, head)
        _check_line_lengths(path, encoding)
        delimiter = _detect_delimiter(path, encoding)
        grid = _read_text(path, encoding, delimiter)
        formulas = []
    _check_cell_lengths(grid, path)

    if grid.shape[0] == 0 or (grid.shape[1] == 1 and not grid.iloc[:, 0].str.strip().astype(bool).any()):
        raise user_error("the export file holds no table (only blank lines)", file=path, fix="download the export again")

    fmt, n_header, headers, question_text = _layout(grid, excel=encoding == "xlsx", codebook=codebook)
    if len(grid) <= n_header:
        raise user_error(
            "the export has a header but no answers (no data rows)", file=path,
            fix="check that the survey has responses and download the export again",
        )
    table = grid.iloc[n_header:].reset_index(drop=True)
    # a spreadsheet saved with stray empty columns has headers ""; name them by position
    table.columns = [h if str(h).strip() else f"(unnamed column {pos})" for pos, h in enumerate(headers, start=1)]
    row_numbers = np.arange(n_header + 1, n_header + 1 + len(table), dtype=np.int64)

    if codebook is not None:
        table = _match_codebook(table, codebook, path, question_text)
    renamed = _check_duplicates(list(table.columns), path, codebook)
    if renamed != list(table.columns):
        table.columns = renamed
    formula_cells = tuple(
        (int(r) + 1, str(table.columns[c])) for r, c in sorted(formulas) if r >= n_header and c < table.shape[1]
    )
    return RawExport(
        table=table,
        row_numbers=row_numbers,
        format=fmt,
        path=path,
        encoding=encoding,
        delimiter=delimiter,
        sha256=digest,
        question_text=question_text,
        header_rows=n_header,
        formula_cells=formula_cells,
    )


# --------------------------------------------------------------------------------------------
# writing the de-identified result (the other edge of this module)


def write_deidentified(result, out_dir: str | PathLike, *, protect=()) -> Path:
    """Write a :class:`~toolkit.privacy.Deidentified` result into ``out_dir``, all at once.

    Writes ``responses.csv`` (index ``pseudonym``; whole-number answers written without
    a decimal point, unanswered items empty), ``ledger.csv``, ``disclosure.md`` and
    ``disclosure.json``. Nothing is written if any step fails, and ``out_dir`` may not hold or
    be a file listed in ``protect`` (the raw export).

    Parameters
    ----------
    result : Deidentified
    out_dir : path
    protect : iterable of paths, default=()
        Input files that must not be overwritten or have outputs written beside them.

    Returns
    -------
    Path
        ``out_dir``.
    """
    from ._atomic import atomic_output_dir
    from ._csv import defuse_formulas

    responses = defuse_formulas(result.responses)  # free text must not run as a formula in Excel
    # Answers are whole numbers: writing them through a nullable integer type gives "4" instead
    # of "4.0" and is five times faster than formatting floats (a million rows: 4 s, not 20 s).
    whole = {
        c: "Int64"
        for c in responses.columns
        if responses[c].dtype.kind == "f" and np.array_equal(responses[c].dropna(), np.round(responses[c].dropna()))
    }
    if whole:
        responses = responses.astype(whole)
    with atomic_output_dir(out_dir, protect=protect) as tmp:
        responses.to_csv(tmp / "responses.csv", index=True, index_label="pseudonym", lineterminator="\n")
        result.ledger.to_csv(tmp / "ledger.csv", index=False, lineterminator="\n")
        (tmp / "disclosure.md").write_text(result.disclosure.to_markdown(), encoding="utf-8")
        (tmp / "disclosure.json").write_text(result.disclosure.to_json(), encoding="utf-8")
    return Path(out_dir)
