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

import codecs
import csv
import difflib
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from .codebook import Codebook, Item
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
#: Longest cell read, in characters (about 3,000 words; survey platforms cap long answers lower).
MAX_CELL_CHARS = 20_000
#: Longest line of a text export, in characters.
MAX_LINE_CHARS = 2_000_000

_TEXT_SUFFIXES = {".csv", ".tsv", ".txt", ".tab", ""}
_EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
_DELIMITERS = (",", ";", "\t")
_CHUNK = 1 << 20

# Headers the platforms add on their own. They never hold an answer to the survey, and several
# (email, name, IP address, location, timestamps) identify the student.
_GOOGLE_META = {"timestamp", "email address", "score", "total score"}
_MICROSOFT_META = {
    "id",
    "start time",
    "completion time",
    "email",
    "name",
    "last modified time",
    "total points",
    "quiz feedback",
}
_MICROSOFT_META_PREFIX = ("points - ", "feedback - ")
_QUALTRICS_META = {
    "startdate",
    "enddate",
    "status",
    "ipaddress",
    "progress",
    "duration (in seconds)",
    "finished",
    "recordeddate",
    "responseid",
    "responseset",
    "recipientlastname",
    "recipientfirstname",
    "recipientemail",
    "externalreference",
    "externaldatareference",
    "locationlatitude",
    "locationlongitude",
    "locationaccuracy",
    "distributionchannel",
    "userlanguage",
    "emailaddress",
    # question-text row of the same columns (3-row layout)
    "start date",
    "end date",
    "response type",
    "ip address",
    "recorded date",
    "response id",
    "recipient last name",
    "recipient first name",
    "recipient email",
    "external data reference",
    "location latitude",
    "location longitude",
    "distribution channel",
    "user language",
}
_QUALTRICS_META_RE = re.compile(
    r"^(q_recaptcha|q_relevantid|q_ballotbox|q_totalduration|q_url|q_unansweredpercentage|q_unansweredquestions)"
    r"|_do(_\d+)?$|_(first click|last click|page submit|click count)$|_timing|^v[1-9]$|^v10$",
    re.IGNORECASE,
)
# Google Forms localises its "Timestamp" header.
_GOOGLE_FIRST = {"timestamp", "marca temporal", "horodateur", "zeitstempel", "carimbo de data/hora", "informazioni cronologiche"}
_IMPORT_ID = re.compile(r'^\s*\{\s*"ImportId"\s*:', re.IGNORECASE)


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
# file level


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            h.update(chunk)
    return h.hexdigest()


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _decodes(path: Path, encoding: str, check_control: bool) -> bool:
    # Decode the whole file in chunks (never all of it in memory at once): a file that is UTF-8
    # for its first megabyte and Windows-1252 further down must not be read as UTF-8.
    dec = codecs.getincrementaldecoder(encoding)()
    try:
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(_CHUNK), b""):
                text = dec.decode(chunk)
                if check_control and _CONTROL.search(text):
                    return False
            dec.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _detect_encoding(path: Path, head: bytes) -> str:
    """UTF-16 (by byte-order mark or NUL pattern), UTF-8 with/without BOM, else Windows-1252."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if head.startswith(codecs.BOM_UTF8):
        if _decodes(path, "utf-8-sig", True):
            return "utf-8-sig"
    else:
        with open(path, "rb") as fh:
            sample = fh.read(4096)
        if len(sample) >= 4 and sample.count(b"\x00") > len(sample) // 4:
            # UTF-16 without a byte-order mark: ASCII text has every other byte NUL.
            enc = "utf-16-le" if sample[1:2] == b"\x00" else "utf-16-be"
            if _decodes(path, enc, True):
                return enc
        elif _decodes(path, "utf-8", True):
            return "utf-8"
        elif _decodes(path, "cp1252", True):
            return "cp1252"
    raise user_error(
        "the text encoding of the file cannot be read (it is not UTF-8, UTF-16 or Windows-1252 text)",
        file=path,
        fix="open the export in a spreadsheet and save it as 'CSV UTF-8', or download it again as CSV",
    )


def _first_record(path: Path, encoding: str) -> str:
    with open(path, encoding=encoding, newline="") as fh:
        lines = []
        for _ in range(50):  # a header cell may span lines inside quotes
            line = fh.readline()
            if not line:
                break
            lines.append(line)
            if "".join(lines).count('"') % 2 == 0:
                break
    return "".join(lines)


def _detect_delimiter(path: Path, encoding: str) -> str:
    # csv.Sniffer guesses from character frequencies and is easily fooled by commas inside
    # question text; counting the fields each candidate gives on the (quoted) header line is
    # more reliable for survey exports, whose headers are long sentences.
    first = _first_record(path, encoding)
    best, best_n = None, 1
    for d in _DELIMITERS:
        try:
            n = len(next(csv.reader([first.rstrip("\r\n")], delimiter=d)))
        except (csv.Error, StopIteration):
            continue
        if n > best_n:
            best, best_n = d, n
    if best is None:
        raise user_error(
            "unknown export format: the first line has no comma, semicolon or tab between columns",
            file=path,
            fix="download the responses as CSV from the survey platform (one header row, one row per response)",
        )
    return best


def _read_text(path: Path, encoding: str, delimiter: str) -> pd.DataFrame:
    try:
        grid = pd.read_csv(
            path,
            sep=delimiter,
            header=None,
            dtype=str,
            encoding=encoding,
            keep_default_na=False,
            na_filter=False,
            skip_blank_lines=False,
            engine="c",
        )
    except pd.errors.ParserError as exc:
        m = re.search(r"Expected (\d+) fields in line (\d+), saw (\d+)", str(exc))
        if m:
            raise user_error(
                f"this row has {m.group(3)} cells but the header has {m.group(1)}",
                file=path, row=int(m.group(2)),
                fix="check for a stray separator or an unclosed quote in that row, or download the export again",
            ) from None
        raise user_error(
            f"the file cannot be read as a table ({str(exc).strip().splitlines()[-1][:120]})", file=path,
            fix="download the export again as CSV",
        ) from None
    except pd.errors.EmptyDataError:
        raise user_error("the export file holds no table (only blank lines)", file=path, fix="download the export again") from None
    return grid


def _check_line_lengths(path: Path, encoding: str) -> None:
    """Refuse a text file with a line longer than :data:`MAX_LINE_CHARS`, reading in chunks."""
    with open(path, encoding=encoding, newline="") as fh:
        line, run = 1, 0
        for chunk in iter(lambda: fh.read(_CHUNK), ""):
            parts = chunk.split("\n")
            for k, part in enumerate(parts):
                run += len(part)
                if run > MAX_LINE_CHARS:
                    raise user_error(
                        f"line {line} of the file is longer than {MAX_LINE_CHARS:,} characters, far more than a survey "
                        "answer holds; the file may be damaged or not an export",
                        file=path, row=line,
                        fix="check the line in a text editor, or download the export again",
                    )
                if k < len(parts) - 1:
                    line, run = line + 1, 0


def _check_cell_lengths(grid: pd.DataFrame, path: Path) -> None:
    """Refuse a cell longer than :data:`MAX_CELL_CHARS`, naming its row and column (never its text)."""
    for j in range(grid.shape[1]):
        lengths = grid.iloc[:, j].str.len().to_numpy()
        if len(lengths) and lengths.max() > MAX_CELL_CHARS:
            i = int(lengths.argmax())
            header = str(grid.iat[0, j]).strip() if i > 0 else f"column {j + 1}"
            header = header if len(header) <= 60 else header[:57] + "..."
            raise user_error(
                f"this cell holds {int(lengths[i]):,} characters; the toolkit reads at most {MAX_CELL_CHARS:,} "
                "per cell, so that no file can keep it busy for minutes",
                file=path, row=i + 1, column=header,
                fix="shorten the answer in a copy of the export (or remove the row) and run again",
            )


_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")


def _sheet_has_formulas(path: Path) -> bool:
    """Whether any worksheet of the workbook holds a formula element (``<f>``), without parsing it."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as zf:
            for name in zf.namelist():
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    with zf.open(name) as fh:
                        tail = b""
                        for chunk in iter(lambda: fh.read(_CHUNK), b""):
                            if _FORMULA_TAG.search(tail + chunk):
                                return True
                            tail = chunk[-8:]
    except (zipfile.BadZipFile, OSError, KeyError, RuntimeError):
        return False  # the workbook reader says what is wrong with it
    return False


def _formula_text(value) -> str:
    text = getattr(value, "text", value)  # ArrayFormula and DataTableFormula keep it in .text
    text = "" if text is None else str(text)
    return text if text.startswith("=") else "=" + text


def _read_excel(path: Path) -> tuple[pd.DataFrame, list]:
    """The first sheet as text, and the (row, column) positions of its formula cells (0-based).

    Formula cells are read as the formula's text: never evaluated, and their cached value (which
    any program could have written) is not used.
    """
    try:
        grid = pd.read_excel(path, sheet_name=0, header=None, dtype=str, engine="openpyxl", na_filter=False)
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise user_error(
            f"the workbook cannot be opened ({type(exc).__name__})", file=path,
            fix="open it in Excel and save it again as .xlsx, or download the export as CSV",
        ) from None
    grid = grid.fillna("").astype(str)
    formulas = []
    if _sheet_has_formulas(path):
        import openpyxl

        try:
            wb = openpyxl.load_workbook(path, read_only=True, data_only=False)
            try:
                ws = wb.worksheets[0]
                for row in ws.iter_rows():
                    for cell in row:
                        if getattr(cell, "data_type", None) == "f":
                            formulas.append((cell.row - 1, cell.column - 1, _formula_text(cell.value)))
            finally:
                wb.close()
        except Exception as exc:  # same damaged-workbook family as above
            raise user_error(
                f"the workbook cannot be opened ({type(exc).__name__})", file=path,
                fix="open it in Excel and save it again as .xlsx, or download the export as CSV",
            ) from None
        for r, c, text in formulas:
            while r >= grid.shape[0]:
                grid.loc[grid.shape[0]] = [""] * grid.shape[1]
            while c >= grid.shape[1]:
                grid[grid.shape[1]] = ""
            grid.iat[r, c] = text
    return grid, [(r, c) for r, c, _ in formulas]


# --------------------------------------------------------------------------------------------
# layout: which platform, how many header rows, which headers


def _norm(s: str) -> str:
    """Header key: NFKC, case-folded, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", str(s)).casefold().split())


def platform_metadata_reason(header: str, fmt: str | None = None) -> str | None:
    """Why a column is platform metadata, or None when it is not.

    Parameters
    ----------
    header : str
        The column header (or Qualtrics column id).
    fmt : str, optional
        The export's format; Google's and Microsoft's generic headers (``Email``, ``Name``,
        ``ID``) only count as metadata in their own format or when the format is unknown.

    Returns
    -------
    str or None
        A short reason such as ``"Qualtrics metadata"``.
    """
    k = _norm(header)
    if k in _QUALTRICS_META or _QUALTRICS_META_RE.search(k):
        if fmt in (None, "qualtrics", "qualtrics_legacy", "csv", "excel"):
            return "Qualtrics metadata"
    if fmt in (None, "google_forms") and (k in _GOOGLE_META or k in _GOOGLE_FIRST):
        return "Google Forms metadata"
    if fmt in (None, "microsoft_forms") and (k in _MICROSOFT_META or k.startswith(_MICROSOFT_META_PREFIX)):
        return "Microsoft Forms metadata"
    return None


def _layout(grid: pd.DataFrame, *, excel: bool, codebook: Codebook | None):
    first = [str(h).strip() for h in grid.iloc[0]]
    keys = [_norm(h) for h in first]
    n_qmeta = sum(k in _QUALTRICS_META for k in keys)
    question_text: dict[str, str] = {}
    if (n_qmeta >= 3 or {"v1", "v2", "v3"} <= set(keys)) and len(grid) >= 2:
        third = [str(v) for v in grid.iloc[2]] if len(grid) >= 3 else []
        n_import = sum(bool(_IMPORT_ID.match(v)) for v in third)
        n_header = 3 if third and n_import >= max(1, len(third) // 2) else 2
        fmt = "qualtrics" if n_header == 3 else "qualtrics_legacy"
        if n_header == 2 and not _looks_like_text_row(grid, first):
            n_header, fmt = 1, "csv"
        if n_header >= 2:
            texts = [str(t).strip() for t in grid.iloc[1]]
            named = {_norm(c) for c in codebook.named_columns} if codebook is not None else set()
            headers = []
            for cid, text in zip(first, texts):
                h = text if (_norm(cid) not in named and _norm(text) in named) else cid
                if re.fullmatch(r"V\d+", cid) and _norm(text) in _QUALTRICS_META:
                    h = text  # legacy exports number their metadata V1..V10; its name is in row 2
                headers.append(h)
                question_text[h] = text
            return fmt, n_header, headers, question_text
        return fmt, 1, first, question_text
    if keys and keys[0] in _GOOGLE_FIRST:
        return "google_forms", 1, first, question_text
    if {"id", "start time", "completion time"} <= set(keys):
        return "microsoft_forms", 1, first, question_text
    return ("excel" if excel else "csv"), 1, first, question_text


def _looks_like_text_row(grid: pd.DataFrame, first: list[str]) -> bool:
    """The second row of a legacy Qualtrics export repeats the headers as text, not dates."""
    row2 = [str(v).strip() for v in grid.iloc[1]]
    for h, v in zip(first, row2):
        if _norm(h) in {"startdate", "enddate", "recordeddate"}:
            return not re.match(r"^\d{1,4}[-/]\d", v)
    return True


def _match_codebook(table: pd.DataFrame, codebook: Codebook, path: Path, question_text: dict | None = None) -> pd.DataFrame:
    headers = list(table.columns)
    exact = set(headers)
    by_key: dict[str, list[str]] = {}
    for h in headers:
        by_key.setdefault(_norm(h), []).append(h)
    named_keys = {_norm(c) for c in codebook.named_columns}
    for h, text in (question_text or {}).items():
        # a Qualtrics export read without the codebook has column ids as headers; the codebook
        # may name a column by its question text instead
        if h in exact and _norm(h) not in named_keys and _norm(text) != _norm(h):
            by_key.setdefault(_norm(text), []).append(h)
    rename, missing = {}, []
    roles = _roles(codebook)
    for col in codebook.named_columns:
        if col in exact:
            continue
        hits = by_key.get(_norm(col), [])
        if len(hits) == 1:
            rename[hits[0]] = col
        elif not hits:
            missing.append(col)
        else:
            raise user_error(
                f"the codebook's column matches {len(hits)} headers of the export ("
                + ", ".join(f"'{h}'" for h in hits[:4]) + ") that differ only in case, spacing or id",
                file=path, column=col,
                fix="name the column exactly as one of those headers in the codebook (for Qualtrics, by its column id such as Q1_1)",
            )
    if missing:
        parts = []
        for col in missing[:6]:
            close = difflib.get_close_matches(col, headers, n=3, cutoff=0.4)
            hint = "closest headers: " + ", ".join(f"'{c}'" for c in close) if close else "no similar header"
            parts.append(f"'{col}' ({roles.get(col, 'column')}; {hint})")
        more = f" and {len(missing) - 6} more" if len(missing) > 6 else ""
        raise user_error(
            f"the codebook names {len(missing)} column(s) that the export does not have: " + "; ".join(parts) + more,
            file=path,
            fix="correct the headers in the codebook to match the export exactly (or check that this is the right export)",
        )
    return table.rename(columns=rename) if rename else table


def _roles(codebook: Codebook) -> dict[str, str]:
    roles = {i.column: f"item {i.id}" for i in codebook.items}
    if codebook.id_column:
        roles[codebook.id_column] = "id_column"
    roles.update({c: "name column" for c in codebook.name_columns})
    roles.update({c: "group column" for c in codebook.group_columns})
    roles.update({c: f"voice column {k}" for k, c in codebook.voice_columns.items()})
    return roles


def _check_duplicates(headers: list[str], path: Path, codebook: Codebook | None) -> list[str]:
    """Refuse a repeated header the codebook names; rename the others by position.

    A repeated header the codebook does not name (two "Notes" columns) is dropped later anyway,
    but every column must have its own name to be checked for identifiers: the second one
    becomes ``"Notes (column 7)"``.
    """
    seen: dict[str, int] = {}
    out = list(headers)
    taken = set(headers)
    for pos, h in enumerate(headers, start=1):
        if h in seen:
            named = codebook is None or h in set(codebook.named_columns)
            if named:
                raise user_error(
                    f"two columns have the same header (columns {seen[h]} and {pos}), so they cannot be told apart",
                    file=path, column=h,
                    fix="give the questions distinct titles in the survey and export again, or rename one header in a copy of the export",
                )
            new = f"{h} (column {pos})"
            while new in taken:
                new += "'"
            out[pos - 1] = new
            taken.add(new)
        else:
            seen[h] = pos
    return out


# --------------------------------------------------------------------------------------------
# answers as numbers


def _label_key(s: str) -> str:
    # Labels match ignoring case, surrounding spaces and punctuation ("Strongly agree." and
    # "strongly  AGREE" are the same answer).
    s = unicodedata.normalize("NFKC", s).casefold()
    return " ".join(re.sub(r"[^\w\s]", " ", s).split())


_NUMBER = re.compile(r"^[+-]?\d+(?:\.0*)?$")
_NUMBERED_LABEL = re.compile(r"^(?:(\d+)\s+(.+)|(.+?)\s+(\d+))$")


def _code_values(uniques, item: Item) -> tuple[dict, list]:
    scale = item.scale
    labels = {_label_key(lab): scale.min + k for k, lab in enumerate(scale.labels)}
    mapping, unknown = {}, []
    for v in uniques:
        s = str(v).strip()
        if s == "":
            mapping[v] = np.nan
            continue
        key = _label_key(s)
        if key in labels:
            mapping[v] = float(labels[key])
        elif _NUMBER.match(s) and scale.min <= int(float(s)) <= scale.max:
            mapping[v] = float(int(float(s)))
        else:
            m = _NUMBERED_LABEL.match(key)  # "5 - Strongly agree", "Strongly agree (5)"
            num, lab = (m.group(1), m.group(2)) if m and m.group(1) else ((m.group(4), m.group(3)) if m else (None, None))
            if m and lab in labels and labels[lab] == int(num):
                mapping[v] = float(labels[lab])
            else:
                unknown.append(v)
    return mapping, unknown


def _safe_value(text: str, raw: RawExport | None = None, codebook: Codebook | None = None) -> str:
    """An answer shown in an error message, with any email, phone, name pair... replaced.

    With the export and its codebook, the students' own IDs and names (from the ID and name
    columns) are replaced too: a student who typed their ID or first name into an answer cell.
    """
    from .scrub import scrub_text  # privacy imports this module; import at call time

    ids, names = [], []
    if raw is not None and codebook is not None:
        if codebook.id_column and codebook.id_column in raw.table.columns:
            ids = [v for v in raw.table[codebook.id_column].astype(str) if v.strip()]
        for c in codebook.name_columns:
            if c in raw.table.columns:
                names += [v for v in raw.table[c].astype(str) if v.strip()]
    return scrub_text([text], names=names, ids=ids).iloc[0]


def item_answers(raw: RawExport, codebook: Codebook) -> pd.DataFrame:
    """The codebook's items as numbers, one float column per item id.

    Labels match the item's scale labels ignoring case, surrounding spaces and punctuation;
    a number inside the scale (``"4"``, ``"4.0"``, a Qualtrics recode value) is taken as is;
    ``"5 - Strongly agree"`` is accepted when number and label agree. Empty cells are NaN.

    Parameters
    ----------
    raw : RawExport
    codebook : Codebook

    Returns
    -------
    DataFrame
        Same row order as ``raw.table``; columns are item ids, dtype float64.

    Raises
    ------
    ToolkitError
        An answer that is neither a known label nor a number in the scale; the message names the
        label, the column, the first rows where it occurs and the labels the codebook knows.
    """
    out = np.empty((len(raw.table), len(codebook.items)), dtype=np.float64)
    for j, item in enumerate(codebook.items):
        col = raw.table[item.column]
        codes, uniques = pd.factorize(col, sort=False)
        mapping, unknown = _code_values(list(uniques), item)
        if unknown:
            bad = unknown[0]
            where = np.flatnonzero(np.asarray(codes) == list(uniques).index(bad))
            rows = ", ".join(str(int(r)) for r in raw.row_numbers[where[:5]])
            more = f" and {len(where) - 5} more rows" if len(where) > 5 else ""
            known = ", ".join(f"'{lab}'" for lab in item.scale.labels) or "none"
            extra = f" (and {len(unknown) - 1} other unknown answers in this column)" if len(unknown) > 1 else ""
            raise user_error(
                f"unknown answer label for item {item.id}{extra}; first seen in rows {rows}{more}. "
                f"The codebook knows the labels {known} and numbers {item.scale.min} to {item.scale.max}",
                file=raw.path, row=rows.split(",")[0], column=item.column, value=_safe_value(str(bad).strip(), raw, codebook),
                fix="add the label to the codebook's response_scale (or the item's own scale) in the right order, or correct the export",
            )
        values = np.array([mapping[u] for u in uniques], dtype=np.float64)
        out[:, j] = np.where(codes >= 0, values[np.maximum(codes, 0)] if len(values) else np.nan, np.nan)
    return pd.DataFrame(out, index=raw.table.index, columns=list(codebook.item_ids), dtype=np.float64)


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
