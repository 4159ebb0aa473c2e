"""The codebook: which export column is which survey item, and how it is scored.

The codebook is the contract every later stage reads. It is a YAML file::

    title: Learning profile survey
    response_scale: {min: 1, max: 5, labels: [Strongly disagree, Disagree,
                     Neither agree nor disagree, Agree, Strongly agree]}
    id_column: Student ID                 # optional; becomes a keyed pseudonym
    name_columns: [Your name]             # optional; dropped, and scrubbed from free text
    group_columns: [Grade, Section, Gender]
    voice_columns: {helps_me_learn: "What helps you learn best?"}
    constructs:
      self_efficacy:
        label: Self-efficacy
        tag: self_efficacy                # links to the strategy library; defaults to the key
        higher_is_better: true            # optional; false where a high score is a need
        items:
          se1: I am confident I can do well in this class.
          se2: {column: "When the work gets hard, I give up.", reverse: true}

An item maps an id to the column header as it appears in the export; it may override the response
scale with its own ``scale``. :func:`load_codebook` validates the file and returns a frozen
:class:`Codebook`; every mistake is reported with the file, the key and what was expected.

Two checks guard against a codebook that loads but scores wrongly. A file that still holds a
``TODO`` mark (as ``toolkit codebook init`` drafts it) is refused, with one message listing every
marked line. A construct whose ``higher_is_better`` disagrees with its tag's meaning in the strategy
library (``test_anxiety`` left at ``true``) gets a :class:`CodebookDirectionWarning` naming both.
The teacher's guide to every key is ``docs/codebook.md``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

from ._yaml import parse_yaml, read_text_file
from .errors import ToolkitError

__all__ = [
    "ResponseScale",
    "Item",
    "Construct",
    "Codebook",
    "CodebookDirectionWarning",
    "load_codebook",
    "parse_codebook",
    "library_tags",
    "refuse_todo_markers",
    "tag_is_need",
    "warn_direction_against_tags",
]

_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_TOP_KEYS = {
    "title",
    "response_scale",
    "id_column",
    "name_columns",
    "group_columns",
    "voice_columns",
    "constructs",
    "description",
}
_CONSTRUCT_KEYS = {"label", "tag", "items", "description", "higher_is_better"}
_ITEM_KEYS = {"column", "reverse", "scale", "text"}


@dataclass(frozen=True)
class ResponseScale:
    """A numeric answer scale with optional labels, lowest first.

    Attributes
    ----------
    min, max : int
        The lowest and highest numeric answer.
    labels : tuple of str
        One label per value from ``min`` to ``max``, or empty when answers are numbers.
    """

    min: int
    max: int
    labels: tuple[str, ...] = ()

    @property
    def values(self) -> tuple[int, ...]:
        """Every allowed numeric answer."""
        return tuple(range(self.min, self.max + 1))

    def reverse(self, x):
        """Reverse-key an answer: ``min + max - x``."""
        return self.min + self.max - x


@dataclass(frozen=True)
class Item:
    """One survey question scored as a number."""

    id: str
    column: str
    construct: str
    reverse: bool
    scale: ResponseScale


@dataclass(frozen=True)
class Construct:
    """A scale: several items averaged into one score."""

    key: str
    label: str
    tag: str
    items: tuple[Item, ...]
    description: str = ""
    #: False for constructs where a high score is a need (test anxiety): plans then treat the
    #: highest scores, not the lowest, as growth areas.
    higher_is_better: bool = True

    @property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(i.id for i in self.items)


@dataclass(frozen=True)
class Codebook:
    """A validated codebook. Build it with :func:`load_codebook`."""

    title: str
    response_scale: ResponseScale
    constructs: tuple[Construct, ...]
    id_column: str | None = None
    name_columns: tuple[str, ...] = ()
    group_columns: tuple[str, ...] = ()
    voice_columns: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    description: str = ""
    path: Path | None = None
    sha256: str = ""

    @property
    def items(self) -> tuple[Item, ...]:
        """Every item, in codebook order."""
        return tuple(i for c in self.constructs for i in c.items)

    @property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(i.id for i in self.items)

    @property
    def construct_keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.constructs)

    @property
    def item_columns(self) -> dict[str, str]:
        """Export header -> item id."""
        return {i.column: i.id for i in self.items}

    def construct(self, key: str) -> Construct:
        """The construct called ``key``; a clear error names the known ones otherwise."""
        for c in self.constructs:
            if c.key == key:
                return c
        raise ToolkitError(
            f"codebook {self._where()}: unknown construct '{key}'. "
            f"Known constructs: {', '.join(self.construct_keys)}."
        )

    def items_of(self, key: str) -> tuple[Item, ...]:
        """The items of construct ``key``."""
        return self.construct(key).items

    def item(self, item_id: str) -> Item:
        """The item called ``item_id``."""
        for i in self.items:
            if i.id == item_id:
                return i
        raise ToolkitError(
            f"codebook {self._where()}: unknown item '{item_id}'. Known items: {', '.join(self.item_ids)}."
        )

    @property
    def named_columns(self) -> tuple[str, ...]:
        """Every export header the codebook names (kept or used), in a stable order."""
        cols = []
        if self.id_column:
            cols.append(self.id_column)
        cols += list(self.name_columns) + list(self.group_columns)
        cols += list(self.voice_columns.values())
        cols += [i.column for i in self.items]
        return tuple(cols)

    def _where(self) -> str:
        return str(self.path) if self.path else f"'{self.title}'"


def load_codebook(path: str | PathLike) -> Codebook:
    """Read and validate a codebook YAML file.

    Parameters
    ----------
    path : path
        The codebook file.

    Returns
    -------
    Codebook
        A frozen, validated codebook; ``sha256`` is the hash of the file's bytes.

    Raises
    ------
    ToolkitError
        When the file is missing, is not YAML, breaks the format, or still holds TODO marks (an
        unfinished draft). The message names the file, the key or lines, and what was expected.

    Warns
    -----
    CodebookDirectionWarning
        A construct's ``higher_is_better`` disagrees with its tag in the strategy library.

    Examples
    --------
    >>> from toolkit.config import SAMPLE_DIR
    >>> cb = load_codebook(SAMPLE_DIR / "codebook.yml")
    >>> cb.construct_keys[:2]
    ('interest', 'self_efficacy')
    """
    path = Path(path)
    text, sha256 = read_text_file(path, "codebook", "Give the path of a codebook .yml file.")
    refuse_todo_markers(text, source=path)
    cb = parse_codebook(text, source=path, sha256=sha256)
    warn_direction_against_tags(cb, text=text)
    return cb


_TODO = re.compile(r"\bTODO\b")
#: Words that mark a construct where a high score is a need (drafts and the direction check).
NEED_WORDS = re.compile(r"anxi|worr|stress|fear|nerv|afraid|panic|scared", re.I)


def refuse_todo_markers(text: str, *, source: str | PathLike = "<codebook>") -> None:
    """Refuse a codebook that still holds ``TODO`` marks, listing every one in one message.

    ``toolkit codebook init`` writes a draft with TODO marks where a person must decide (which
    items form a construct, reverse keying, each construct's label, tag and direction). Scoring
    an unfinished draft gives scores that look right and are not, so every command that loads a
    codebook stops here until each mark has been dealt with and deleted.

    Raises
    ------
    ToolkitError
        Naming the file and each line (number and text) that still says TODO.
    """
    marks = [(n, " ".join(line.split())) for n, line in enumerate(text.splitlines(), start=1) if _TODO.search(line)]
    if not marks:
        return
    shown = "; ".join(f"line {n}: {line[:90]}" for n, line in marks[:12])
    more = f"; and {len(marks) - 12} more" if len(marks) > 12 else ""
    raise ToolkitError(
        f"{source}: the codebook still holds {len(marks)} TODO mark(s), so it is an unfinished draft: "
        f"{shown}{more}. Decide each one (see docs/codebook.md), delete the word TODO, and run again."
    )


class CodebookDirectionWarning(UserWarning):
    """A construct's ``higher_is_better`` disagrees with what its tag means in the strategy library."""


def library_tags(library_path: str | PathLike | None = None) -> dict[str, str]:
    """The tags a strategy library declares, each with its sentence, in the library's order.

    Parameters
    ----------
    library_path : path, optional
        A strategy library .yml; default the bundled one. It is read as data here (the plans
        stage, which owns the library, comes later in the pipeline).

    Returns
    -------
    dict
        Tag -> description, e.g. ``{"test_anxiety": "Worry and nerves around tests", ...}``;
        empty when the file cannot be read.

    Examples
    --------
    >>> list(library_tags())[:3]
    ['interest', 'self_efficacy', 'effort_regulation']
    """
    from .config import PACKAGE_DATA

    path = Path(library_path) if library_path else PACKAGE_DATA / "strategies.yml"
    try:
        data = parse_yaml(path.read_text(encoding="utf-8"), str(path), "strategy library") or {}
    except (OSError, ToolkitError):
        return {}
    tags = data.get("tags") if isinstance(data, dict) else None
    return {str(t): str(d) for t, d in tags.items()} if isinstance(tags, dict) else {}


def tag_is_need(description: str) -> bool:
    """True when a tag's sentence speaks of anxiety, worry, stress, fear or nerves (a high score is a need)."""
    return bool(NEED_WORDS.search(description))


def warn_direction_against_tags(cb: "Codebook", library_path: str | PathLike | None = None, *,
                                text: str | None = None) -> list[str]:
    """Warn about each construct whose direction disagrees with its tag's in the strategy library.

    A tag whose sentence in the library speaks of a need (:func:`tag_is_need`: "Worry and nerves
    around tests") is lower-is-better; every other tag is higher-is-better. A construct tagged
    ``test_anxiety`` but left at ``higher_is_better: true`` would have its most anxious students
    told that anxiety is going well for them, so :func:`load_codebook` calls this on every file.

    Parameters
    ----------
    cb : Codebook
    library_path : path, optional
        The strategy library; default the bundled one.
    text : str, optional
        The codebook's text. With it (and ``cb.path``) each warning points at the construct's
        line in the codebook file, where the fix is, rather than at the caller's code.

    Returns
    -------
    list of str
        The warning messages, also issued as :class:`CodebookDirectionWarning`.
    """
    import warnings

    tags = library_tags(library_path)
    out = []
    for c in cb.constructs:
        if c.tag not in tags:
            continue
        desc = tags[c.tag]
        tag_better = not tag_is_need(desc)
        if tag_better != c.higher_is_better:
            msg = (
                f"codebook {cb._where()}: construct '{c.key}' has higher_is_better: "
                f"{str(c.higher_is_better).lower()}, but its tag '{c.tag}' ({desc}) is "
                f"{'higher-is-better' if tag_better else 'lower-is-better (a high score is a need)'} "
                f"in the strategy library. Check the construct's higher_is_better or its tag (docs/codebook.md)."
            )
            line = _construct_line(text, c.key) if text is not None and cb.path is not None else None
            if line is None:
                warnings.warn(msg, CodebookDirectionWarning, stacklevel=2)
            else:
                warnings.warn_explicit(msg, CodebookDirectionWarning, filename=str(cb.path), lineno=line)
            out.append(msg)
    return out


def _construct_line(text: str, key: str) -> int | None:
    """The line number of a construct's ``higher_is_better`` (else of its key) in the codebook text."""
    lines = text.splitlines()
    start = next((n for n, line in enumerate(lines) if re.match(rf"^\s+{re.escape(key)}\s*:\s*(#.*)?$", line)), None)
    if start is None:
        return None
    indent = len(lines[start]) - len(lines[start].lstrip())
    for n in range(start + 1, len(lines)):
        stripped = lines[n].lstrip()
        if stripped and not stripped.startswith("#") and len(lines[n]) - len(stripped) <= indent:
            break
        if stripped.startswith("higher_is_better:"):
            return n + 1
    return start + 1


def parse_codebook(text: str, *, source: str | PathLike = "<codebook>", sha256: str | None = None) -> Codebook:
    """Validate codebook YAML given as text. See :func:`load_codebook`."""
    src = str(source)
    data = parse_yaml(text, src, "codebook")
    v = _Validator(src)
    if not isinstance(data, dict):
        v.fail("(top level)", "a mapping with keys title, response_scale and constructs", data)
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        v.fail(unknown[0], f"one of the known keys ({', '.join(sorted(_TOP_KEYS))})", "unknown key")

    title = v.text(data.get("title", "Survey"), "title")
    scale = v.scale(data.get("response_scale"), "response_scale", required=True)
    id_column = data.get("id_column")
    if id_column is not None:
        id_column = v.text(id_column, "id_column")
    name_columns = v.text_list(data.get("name_columns", []), "name_columns")
    group_columns = v.text_list(data.get("group_columns", []), "group_columns")
    voice = data.get("voice_columns", {}) or {}
    if not isinstance(voice, dict):
        v.fail("voice_columns", "a mapping of short keys to question headers", voice)
    voice_columns = {}
    for k, col in voice.items():
        v.key(k, f"voice_columns.{k}")
        voice_columns[str(k)] = v.text(col, f"voice_columns.{k}")

    cons = data.get("constructs")
    if not isinstance(cons, dict) or not cons:
        v.fail("constructs", "a mapping of construct keys to their label and items", cons)
    constructs = []
    seen_items: dict[str, str] = {}
    seen_columns: dict[str, str] = {}
    for ckey, cdef in cons.items():
        where = f"constructs.{ckey}"
        v.key(ckey, where)
        if not isinstance(cdef, dict):
            v.fail(where, "a mapping with label, tag and items", cdef)
        bad = sorted(set(cdef) - _CONSTRUCT_KEYS)
        if bad:
            v.fail(f"{where}.{bad[0]}", f"one of {', '.join(sorted(_CONSTRUCT_KEYS))}", "unknown key")
        label = v.text(cdef.get("label", str(ckey).replace("_", " ").capitalize()), f"{where}.label")
        tag = v.text(cdef.get("tag", ckey), f"{where}.tag")
        idefs = cdef.get("items")
        if not isinstance(idefs, dict) or not idefs:
            v.fail(f"{where}.items", "a mapping of item ids to column headers (at least one item)", idefs)
        items = []
        for iid, idef in idefs.items():
            iwhere = f"{where}.items.{iid}"
            v.key(iid, iwhere)
            if isinstance(idef, str):
                column, reverse, iscale = idef, False, scale
            elif isinstance(idef, dict):
                bad = sorted(set(idef) - _ITEM_KEYS)
                if bad:
                    v.fail(f"{iwhere}.{bad[0]}", f"one of {', '.join(sorted(_ITEM_KEYS))}", "unknown key")
                column = v.text(idef.get("column"), f"{iwhere}.column")
                reverse = idef.get("reverse", False)
                if not isinstance(reverse, bool):
                    v.fail(f"{iwhere}.reverse", "true or false", reverse)
                iscale = v.scale(idef["scale"], f"{iwhere}.scale") if "scale" in idef else scale
            else:
                v.fail(iwhere, "a column header, or a mapping with column (and reverse, scale)", idef)
            column = v.text(column, iwhere)
            if str(iid) in seen_items:
                v.fail(iwhere, "an item id used once in the whole codebook", f"also in {seen_items[str(iid)]}")
            if column in seen_columns:
                v.fail(iwhere, "a column used by one item only", f"'{column}' is also item {seen_columns[column]}")
            seen_items[str(iid)] = where
            seen_columns[column] = str(iid)
            items.append(Item(str(iid), column, str(ckey), reverse, iscale))
        better = cdef.get("higher_is_better", True)
        if not isinstance(better, bool):
            v.fail(f"{where}.higher_is_better", "true or false", better)
        description = v.text(cdef.get("description", ""), f"{where}.description", allow_empty=True)
        constructs.append(Construct(str(ckey), label, tag, tuple(items), description, better))

    others = ([id_column] if id_column else []) + name_columns + group_columns + list(voice_columns.values())
    if len(set(others)) != len(others):
        dup = next(c for c in others if others.count(c) > 1)
        v.fail("(columns)", "each column named once across id_column, name_columns, group_columns and voice_columns", dup)
    for col in others:
        if col in seen_columns:
            v.fail(f"items.{seen_columns[col]}", "an item column that is not also the id, a name, group or voice column", col)

    return Codebook(
        title=title,
        response_scale=scale,
        constructs=tuple(constructs),
        id_column=id_column,
        name_columns=tuple(name_columns),
        group_columns=tuple(group_columns),
        voice_columns=MappingProxyType(voice_columns),
        description=v.text(data.get("description", ""), "description", allow_empty=True),
        path=Path(source) if not src.startswith("<") else None,
        sha256=sha256 if sha256 is not None else hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )


def _as_written(value: Any) -> str:
    """A value as it would be written in the YAML file (``nothing``, ``true``, ``[a, b]``), not as a Python repr."""
    if isinstance(value, str):
        return value
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_as_written(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_as_written(k)}: {_as_written(v)}" for k, v in value.items()) + "}"
    return str(value)


class _Validator:
    """Small checks that raise one clear message: file, key, what was expected, what was found."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, key: str, expected: str, found: Any):
        shown = _as_written(found)
        if len(shown) > 60:
            shown = shown[:57] + "..."
        raise ToolkitError(f"{self.source}: key '{key}': expected {expected}, found {shown}. Fix the codebook and run again.")

    def key(self, k: Any, where: str) -> None:
        if not isinstance(k, str) or not _KEY.match(k):
            self.fail(where, "a short key of letters, digits and underscores, starting with a letter", k)

    def text(self, x: Any, where: str, allow_empty: bool = False) -> str:
        if isinstance(x, (int, float)) and not isinstance(x, bool):
            x = str(x)
        if not isinstance(x, str) or (not allow_empty and not x.strip()):
            self.fail(where, "a text", x)
        return x.strip()

    def text_list(self, x: Any, where: str) -> list[str]:
        if x is None:
            return []
        if not isinstance(x, list):
            self.fail(where, "a list of column headers", x)
        return [self.text(e, f"{where}[{n}]") for n, e in enumerate(x)]

    def scale(self, x: Any, where: str, required: bool = False) -> ResponseScale:
        if x is None and required:
            self.fail(where, "a mapping {min: 1, max: 5, labels: [...]}", "nothing")
        if not isinstance(x, dict):
            self.fail(where, "a mapping {min: 1, max: 5, labels: [...]}", x)
        bad = sorted(set(x) - {"min", "max", "labels"})
        if bad:
            self.fail(f"{where}.{bad[0]}", "one of min, max, labels", "unknown key")
        lo, hi = x.get("min"), x.get("max")
        for name, val in (("min", lo), ("max", hi)):
            if not isinstance(val, int) or isinstance(val, bool):
                self.fail(f"{where}.{name}", "a whole number", val)
        if lo >= hi:
            self.fail(where, "min below max", f"min {lo}, max {hi}")
        labels = x.get("labels", []) or []
        labels = self.text_list(labels, f"{where}.labels")
        if labels and len(labels) != hi - lo + 1:
            self.fail(f"{where}.labels", f"{hi - lo + 1} labels, one for each value {lo}..{hi}", f"{len(labels)} labels")
        if len({s.casefold() for s in labels}) != len(labels):
            self.fail(f"{where}.labels", "distinct labels", labels)
        return ResponseScale(lo, hi, tuple(labels))
