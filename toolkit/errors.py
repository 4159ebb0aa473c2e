"""The one exception for a user's mistake, and the shape of its message.

Every stage raises :class:`ToolkitError` when input is wrong: a missing column, an unknown label,
a bad codebook. Its message names the file, row, column and value, and says what to do. The CLI
prints the message alone (no traceback) and exits with status 2.
"""

from __future__ import annotations

from os import PathLike

__all__ = ["ToolkitError", "user_error"]


class ToolkitError(ValueError):
    """A mistake in the user's input, explained in one message.

    Subclasses ``ValueError`` so that library users can catch it as the usual input error.
    """


def _short(value: object, limit: int = 60) -> str:
    text = repr(value) if not isinstance(value, str) else f"'{value}'"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def user_error(
    what: str,
    *,
    file: str | PathLike | None = None,
    row: int | str | None = None,
    column: str | None = None,
    value: object = None,
    fix: str | None = None,
) -> ToolkitError:
    """Build a :class:`ToolkitError` whose message has one standard shape.

    Parameters
    ----------
    what : str
        What is wrong, in plain words.
    file, row, column, value : optional
        Where it is. ``value`` is shown quoted and shortened; never pass an identifying value.
    fix : str, optional
        What the user should do about it.

    Returns
    -------
    ToolkitError
        Raise it: ``raise user_error(...)``.

    Examples
    --------
    >>> str(user_error("unknown answer label", file="export.csv", row=7, column="se1",
    ...                value="Agre", fix="use one of the codebook's labels"))
    "export.csv, row 7, column 'se1', value 'Agre': unknown answer label. Use one of the codebook's labels."
    """
    where = []
    if file is not None:
        where.append(str(file))
    if row is not None:
        where.append(f"row {row}")
    if column is not None:
        where.append(f"column '{column}'")
    if value is not None:
        where.append(f"value {_short(value)}")
    message = (", ".join(where) + ": " if where else "") + what.rstrip(".") + "."
    if fix:
        message += " " + fix[0].upper() + fix[1:].rstrip(".") + "."
    return ToolkitError(message)
