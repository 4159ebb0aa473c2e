"""Reading the toolkit's YAML files (codebook, strategy library, workload) with one kind of error.

Every YAML file a teacher edits is read the same way: it must exist, be UTF-8 (a byte-order mark
is fine) and parse; a mistake names the file, the line and column, and what to check.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import yaml

from .errors import ToolkitError

__all__ = ["read_text_file", "parse_yaml"]


def read_text_file(path: Path, what: str, hint: str) -> tuple[str, str]:
    """Return the text of a UTF-8 file and the SHA-256 of its bytes.

    Parameters
    ----------
    path : Path
    what : str
        What the file is, for messages ("codebook").
    hint : str
        What to give instead when the file is missing.
    """
    if not path.is_file():
        raise ToolkitError(f"{path}: {what} file not found. {hint}")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ToolkitError(f"{path}: the {what} is not UTF-8 text ({exc.reason}). Save it as UTF-8.") from None
    return text, hashlib.sha256(raw).hexdigest()


def parse_yaml(text: str, source: str, what: str) -> Any:
    """``yaml.safe_load`` with a message that names the file, line and column of a syntax error."""
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ToolkitError(f"{source}{where}: the {what} is not valid YAML ({problem}). Check indentation and quotes.") from None
