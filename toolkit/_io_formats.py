"""The file-format layer of :mod:`toolkit.io`: bytes to a grid of text cells.

Finds the text encoding (UTF-8 with or without a byte-order mark, UTF-16, Windows-1252) and the
delimiter (comma, semicolon, tab), reads a text export or the first sheet of a workbook with
every cell as text (formula cells as their formula's text, never evaluated), and refuses a cell
longer than :data:`MAX_CELL_CHARS` or a line longer than :data:`MAX_LINE_CHARS`. Which platform
made the file is :mod:`toolkit._io_layout`'s question.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import re
from pathlib import Path

import pandas as pd

from .errors import user_error

#: Longest cell read, in characters (about 3,000 words; survey platforms cap long answers lower).
MAX_CELL_CHARS = 20_000
#: Longest line of a text export, in characters.
MAX_LINE_CHARS = 2_000_000

_TEXT_SUFFIXES = {".csv", ".tsv", ".txt", ".tab", ""}
_EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
_DELIMITERS = (",", ";", "\t")
_CHUNK = 1 << 20


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

