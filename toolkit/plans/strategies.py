"""The strategy library: classroom strategies that plan templates and personal layers draw on.

The library is a YAML file. The one shipped with the package (``toolkit/data/strategies.yml``)
holds the strategies of the project's STRATEGY_EVIDENCE.md in teacher language; a teacher can
pass their own file in the same format::

    version: 1
    tags:                                   # every tag a strategy may serve, with a label
      interest: Interest in the subject and seeing why it matters
    strategies:
      - id: relevance-writing               # letters, digits, '-' and '_'; unique
        title: Students write how the topic connects to their lives
        description: What the teacher does, in a sentence or two.
        tags: [interest]                    # declared above; codebook constructs link by tag
        supports: low                       # low | high | both (a low score, a high one)
        grouping: whole_class               # whole_class | small_group | pairs | individual
        minutes_per_week: 3                 # teacher minutes, a number >= 0
        minutes_note: one-off items give a per-week equivalent and say so here (optional)
        evidence: "Hulleman & Harackiewicz 2009, Science 326: ..."
        mark: verified                      # verified | secondary | unverified
        caution: optional; when the strategy helps only some students, say so
        student_title: optional; the strategy in words a 14-year-old reads, to "you"
                       (e.g. "Test yourself instead of re-reading"); the title is used when missing
        dose: optional; how much of it the studies behind it gave (sessions, weeks)
        measured: optional; what the studies measured (attainment, engaged time, ...)
        success: optional; how we will know it works in this class (what the teacher looks at)
    student_tags:                           # optional: the tags in a 14-year-old's words
      interest: Finding the subject interesting
    preference_tags: [collaboration]        # optional: tags that measure a preference, not a
                                            # skill; a low score there is never a need

:func:`load_strategy_library` validates the file; every mistake names the file, the strategy id
(or its position) and key, what was expected and what was found.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from types import MappingProxyType
from typing import Any, Iterable, Mapping

import pandas as pd

from ..codebook import Codebook
from ..config import PACKAGE_DATA
from .._yaml import parse_yaml, read_text_file
from ..errors import ToolkitError

__all__ = [
    "GROUPINGS",
    "GROUP_GROUPINGS",
    "MARKS",
    "SUPPORTS",
    "Strategy",
    "StrategyLibrary",
    "DEFAULT_LIBRARY",
    "load_strategy_library",
    "parse_strategy_library",
]

#: The shipped library.
DEFAULT_LIBRARY = PACKAGE_DATA / "strategies.yml"
#: How a strategy is run.
GROUPINGS = ("whole_class", "small_group", "pairs", "individual")
#: Groupings a profile template can use: the teacher runs them for a group, not one student.
GROUP_GROUPINGS = ("whole_class", "small_group", "pairs")
#: Whether a strategy supports a low score, stretches a high one, or both.
SUPPORTS = ("low", "high", "both")
#: How well the evidence line was checked (see STRATEGY_EVIDENCE.md), strongest first.
MARKS = ("verified", "secondary", "unverified")

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_TAG = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_REQUIRED = ("id", "title", "description", "tags", "supports", "grouping", "minutes_per_week", "evidence", "mark")
_OPTIONAL = ("caution", "minutes_note", "student_title", "dose", "measured", "success")
_TOP_KEYS = {"version", "tags", "strategies", "description", "student_tags", "preference_tags"}


@dataclass(frozen=True)
class Strategy:
    """One classroom strategy.

    Attributes
    ----------
    id : str
        Unique short id, used in plans (``plans.csv`` lists strategy ids).
    title, description : str
        What the teacher does, in plain words.
    tags : tuple of str
        Learner characteristics it serves; codebook constructs link to it by their ``tag``.
    supports : {"low", "high", "both"}
        Supports a low score (a need), stretches a high one (a strength), or both.
    grouping : {"whole_class", "small_group", "pairs", "individual"}
    minutes_per_week : float
        Teacher minutes a week for the group it is used with (one-off items as a weekly
        equivalent, explained in ``minutes_note``).
    evidence : str
        One line naming the public source (and the figure with its edition, for EEF figures).
    mark : {"verified", "secondary", "unverified"}
    caution : str
        When it helps only some students, or how not to use it; may be empty.
    minutes_note : str
        How the minutes were worked out, when not obvious; may be empty.
    student_title : str
        The strategy as a student reads it on their own sheet, in the second person (falls
        back to ``title`` when the library gives none).
    dose : str
        How much of it the studies behind it gave; may be empty.
    measured : str
        What the studies behind it measured (so a tag is not read as more than that); may be empty.
    success : str
        How we will know it works in this class: what the teacher looks at; may be empty.
    """

    id: str
    title: str
    description: str
    tags: tuple[str, ...]
    supports: str
    grouping: str
    minutes_per_week: float
    evidence: str
    mark: str
    caution: str = ""
    minutes_note: str = ""
    student_title: str = ""
    dose: str = ""
    measured: str = ""
    success: str = ""

    @property
    def for_student(self) -> str:
        """The title a student reads: ``student_title``, or ``title`` when the library gives none."""
        return self.student_title or self.title

    def serves(self, tag: str, *, need: str = "low") -> bool:
        """Whether this strategy serves ``tag`` for a ``need`` of "low" (support) or "high" (stretch)."""
        return tag in self.tags and self.supports in (need, "both")


@dataclass(frozen=True)
class StrategyLibrary:
    """A validated strategy library. Build it with :func:`load_strategy_library`.

    Attributes
    ----------
    strategies : tuple of Strategy
        In file order.
    tags : Mapping
        Tag -> label, as declared in the file.
    path : Path or None
    sha256 : str
        Hash of the file's bytes (or of the text).
    student_tags : Mapping
        Tag -> the tag in a student's words (from ``student_tags``; the label when missing, see
        :meth:`student_label`).
    preference_tags : frozenset of str
        Tags that measure a preference rather than a skill: a low score there is never a need.
    """

    strategies: tuple[Strategy, ...]
    tags: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    path: Path | None = None
    sha256: str = ""
    student_tags: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    preference_tags: frozenset = frozenset()

    def student_label(self, tag: str) -> str:
        """The tag as a student reads it: ``student_tags[tag]``, else the teacher label, else the tag."""
        return self.student_tags.get(tag) or self.tags.get(tag) or tag.replace("_", " ")

    def __len__(self) -> int:
        return len(self.strategies)

    def __iter__(self):
        return iter(self.strategies)

    def __contains__(self, strategy_id: object) -> bool:
        return any(s.id == strategy_id for s in self.strategies)

    @property
    def ids(self) -> tuple[str, ...]:
        """Every strategy id, in file order."""
        return tuple(s.id for s in self.strategies)

    def get(self, strategy_id: str) -> Strategy:
        """The strategy called ``strategy_id``; a clear error otherwise."""
        for s in self.strategies:
            if s.id == strategy_id:
                return s
        raise ToolkitError(
            f"{self._where()}: no strategy with id '{strategy_id}'. "
            f"Use one of the library's ids (toolkit.load_strategy_library().ids)."
        )

    def with_tag(self, tag: str, *, need: str | None = None, groupings: Iterable[str] | None = None) -> tuple[Strategy, ...]:
        """Strategies serving ``tag``, optionally only for a need ("low"/"high") and some groupings."""
        allowed = tuple(groupings) if groupings is not None else GROUPINGS
        return tuple(
            s for s in self.strategies
            if tag in s.tags and (need is None or s.supports in (need, "both")) and s.grouping in allowed
        )

    def check_covers(self, codebook: Codebook) -> None:
        """Check that every construct of ``codebook`` has a strategy that supports a low score.

        Raises
        ------
        ToolkitError
            Naming the construct, its tag and the library file, when a tag has no strategy.
        """
        for c in codebook.constructs:
            if not self.with_tag(c.tag, need="low"):
                known = ", ".join(sorted(self.tags)) or "none"
                raise ToolkitError(
                    f"{self._where()}: no strategy serves tag '{c.tag}' of construct '{c.key}' in codebook "
                    f"{codebook.path or codebook.title!r} (a strategy with supports: low or both is needed). "
                    f"Add a strategy with tags: [{c.tag}] to the library, or set the construct's tag to one "
                    f"the library declares ({known})."
                )

    def to_frame(self) -> pd.DataFrame:
        """One row per strategy (index ``id``); tags joined with ``;``."""
        rows = [
            {
                "id": s.id,
                "title": s.title,
                "tags": ";".join(s.tags),
                "supports": s.supports,
                "grouping": s.grouping,
                "minutes_per_week": s.minutes_per_week,
                "mark": s.mark,
                "evidence": s.evidence,
                "caution": s.caution,
                "description": s.description,
                "minutes_note": s.minutes_note,
                "student_title": s.for_student,
                "dose": s.dose,
                "measured": s.measured,
                "success": s.success,
            }
            for s in self.strategies
        ]
        return pd.DataFrame(rows).set_index("id")

    def _where(self) -> str:
        return str(self.path) if self.path else "strategy library"


def load_strategy_library(path: str | PathLike | None = None) -> StrategyLibrary:
    """Read and validate a strategy library YAML file.

    Parameters
    ----------
    path : path, optional
        The library file; default the one shipped with the package (:data:`DEFAULT_LIBRARY`).

    Returns
    -------
    StrategyLibrary

    Raises
    ------
    ToolkitError
        When the file is missing or not YAML, a strategy lacks a field or has a wrong value, an id
        is used twice, a tag is not declared, or a declared tag has no strategy. The message names
        the file, the strategy id and key, and what was expected.

    Examples
    --------
    >>> lib = load_strategy_library()
    >>> len(lib) >= 40
    True
    >>> lib.get("worry-writing").supports
    'low'
    """
    p = Path(path) if path is not None else DEFAULT_LIBRARY
    text, sha256 = read_text_file(
        p, "strategy library",
        f"Give the path of a strategy library .yml file (copy {DEFAULT_LIBRARY.name} shipped with the toolkit to start one).",
    )
    return parse_strategy_library(text, source=p, sha256=sha256)


def parse_strategy_library(text: str, *, source: str | PathLike = "<strategy library>", sha256: str | None = None) -> StrategyLibrary:
    """Validate a strategy library given as YAML text. See :func:`load_strategy_library`."""
    src = str(source)
    if sha256 is None:  # before the loop below, whose helper is also called text
        sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
    data = parse_yaml(text, src, "strategy library")

    def fail(where: str, expected: str, found: Any) -> None:
        shown = found if isinstance(found, str) else repr(found)
        if len(shown) > 60:
            shown = shown[:57] + "..."
        raise ToolkitError(f"{src}: {where}: expected {expected}, found {shown}. Fix the strategy library and run again.")

    if not isinstance(data, dict):
        fail("(top level)", "a mapping with keys tags and strategies", data)
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        fail(f"key '{unknown[0]}'", f"one of the known keys ({', '.join(sorted(_TOP_KEYS))})", "unknown key")
    tags = data.get("tags")
    if not isinstance(tags, dict) or not tags:
        fail("key 'tags'", "a mapping of tag -> label declaring every tag strategies may serve", tags)
    tag_labels = {}
    for t, label in tags.items():
        if not isinstance(t, str) or not _TAG.match(t):
            fail(f"key 'tags.{t}'", "a tag of letters, digits and underscores, starting with a letter", t)
        if not isinstance(label, str) or not label.strip():
            fail(f"key 'tags.{t}'", "a plain-language label", label)
        tag_labels[t] = label.strip()

    entries = data.get("strategies")
    if not isinstance(entries, list) or not entries:
        fail("key 'strategies'", "a list of strategies", entries)
    strategies: list[Strategy] = []
    seen: dict[str, int] = {}
    for pos, entry in enumerate(entries, start=1):
        label = f"strategy {pos}"
        if isinstance(entry, dict) and isinstance(entry.get("id"), str):
            label = f"strategy '{entry['id']}' (number {pos})"
        if not isinstance(entry, dict):
            fail(label, "a mapping with keys " + ", ".join(_REQUIRED), entry)
        bad = sorted(set(entry) - set(_REQUIRED) - set(_OPTIONAL))
        if bad:
            fail(f"{label}, key '{bad[0]}'", "one of " + ", ".join(_REQUIRED + _OPTIONAL), "unknown key")
        for key in _REQUIRED:
            if key not in entry or entry[key] is None:
                fail(f"{label}, key '{key}'", _EXPECTED[key], "nothing (the key is missing)")

        sid = entry["id"]
        if not isinstance(sid, str) or not _ID.match(sid):
            fail(f"{label}, key 'id'", "a short id of letters, digits, '-' and '_'", sid)
        if sid in seen:
            fail(f"{label}, key 'id'", "an id used once in the library", f"'{sid}', also strategy number {seen[sid]}")
        seen[sid] = pos

        def text(key: str, *, required: bool = True) -> str:
            val = entry.get(key, "")
            if val is None:
                val = ""
            if not isinstance(val, str) or (required and not val.strip()):
                fail(f"{label}, key '{key}'", _EXPECTED[key], val)
            return " ".join(val.split())

        tag_list = entry["tags"]
        if isinstance(tag_list, str):
            tag_list = [tag_list]
        if not isinstance(tag_list, list) or not tag_list:
            fail(f"{label}, key 'tags'", _EXPECTED["tags"], tag_list)
        for t in tag_list:
            if t not in tag_labels:
                fail(f"{label}, key 'tags'", f"tags declared under 'tags' ({', '.join(tag_labels)}); declare new tags there first", t)
        if len(set(tag_list)) != len(tag_list):
            fail(f"{label}, key 'tags'", "each tag once", tag_list)
        supports = entry["supports"]
        if supports not in SUPPORTS:
            fail(f"{label}, key 'supports'", _EXPECTED["supports"], supports)
        grouping = entry["grouping"]
        if grouping not in GROUPINGS:
            fail(f"{label}, key 'grouping'", _EXPECTED["grouping"], grouping)
        minutes = entry["minutes_per_week"]
        if isinstance(minutes, bool) or not isinstance(minutes, (int, float)) or not math.isfinite(minutes) or minutes < 0:
            fail(f"{label}, key 'minutes_per_week'", _EXPECTED["minutes_per_week"], minutes)
        mark = entry["mark"]
        if mark not in MARKS:
            fail(f"{label}, key 'mark'", _EXPECTED["mark"], mark)
        strategies.append(
            Strategy(
                id=sid,
                title=text("title"),
                description=text("description"),
                tags=tuple(tag_list),
                supports=supports,
                grouping=grouping,
                minutes_per_week=float(minutes),
                evidence=text("evidence"),
                mark=mark,
                caution=text("caution", required=False),
                minutes_note=text("minutes_note", required=False),
                student_title=text("student_title", required=False),
                dose=text("dose", required=False),
                measured=text("measured", required=False),
                success=text("success", required=False),
            )
        )

    student_tags = data.get("student_tags") or {}
    if not isinstance(student_tags, dict):
        fail("key 'student_tags'", "a mapping of tag -> the tag in a student's words", student_tags)
    for t, label in student_tags.items():
        if t not in tag_labels:
            fail(f"key 'student_tags.{t}'", f"a tag declared under 'tags' ({', '.join(tag_labels)})", t)
        if not isinstance(label, str) or not label.strip():
            fail(f"key 'student_tags.{t}'", "the tag in words a student reads", label)
    prefs = data.get("preference_tags") or []
    if isinstance(prefs, str):
        prefs = [prefs]
    if not isinstance(prefs, list):
        fail("key 'preference_tags'", "a list of tags, e.g. [collaboration]", prefs)
    for t in prefs:
        if t not in tag_labels:
            fail("key 'preference_tags'", f"tags declared under 'tags' ({', '.join(tag_labels)})", t)

    used = {t for s in strategies for t in s.tags}
    for t in tag_labels:
        if t not in used:
            fail(f"key 'tags.{t}'", "at least one strategy for every declared tag; add a strategy with "
                 f"tags: [{t}] or remove the tag", "no strategy with this tag")
    return StrategyLibrary(
        strategies=tuple(strategies),
        tags=MappingProxyType(tag_labels),
        path=Path(source) if not src.startswith("<") else None,
        sha256=sha256,
        student_tags=MappingProxyType({t: " ".join(v.split()) for t, v in student_tags.items()}),
        preference_tags=frozenset(prefs),
    )


_EXPECTED = {
    "id": "a short id of letters, digits, '-' and '_'",
    "title": "a short title (text)",
    "description": "a sentence or two on what the teacher does (text)",
    "tags": "a list of tags, e.g. [interest, self_efficacy]",
    "supports": "one of low, high, both",
    "grouping": "one of " + ", ".join(GROUPINGS),
    "minutes_per_week": "a number of teacher minutes per week, 0 or more",
    "evidence": "one line naming the public source (text)",
    "mark": "one of " + ", ".join(MARKS),
    "caution": "a text",
    "minutes_note": "a text",
    "student_title": "a text",
    "dose": "a text",
    "measured": "a text",
    "success": "a text",
}
