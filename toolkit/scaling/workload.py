"""The workload model: the assumptions about teachers' time, their sources, draws and time logs.

The scaling study costs plans with the owner model (:mod:`toolkit.scaling.owners`, on the one
cost model of :mod:`toolkit.plans.costs`), in one owner's time a week; this module holds the
assumptions that model reads.

Every number the scaling study uses about teachers' time is an *assumption* with a default, a
plausible range, a unit, a source and a confidence, kept in a YAML file
(``toolkit/data/workload.yml``). Where a public figure exists the file cites it
(``kind: public``); where none exists it says so (``kind: assumption``), so a teacher knows which
numbers to replace with local timings first. :func:`load_workload` reads the defaults, or a
teacher's own file on top of them, and validates every entry.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, replace as _dc_replace
from os import PathLike
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

import numpy as np
import pandas as pd
from sklearn.utils import check_random_state

from ..config import PACKAGE_DATA
from .._yaml import parse_yaml, read_text_file
from ..errors import ToolkitError, user_error

__all__ = [
    "Assumption",
    "Workload",
    "load_workload",
    "WAYS",
    "DEFAULT_WORKLOAD",
    "apply_time_log",
    "TIME_LOG_TEMPLATE",
    "TIME_LOG_COLUMNS",
]

#: The bundled defaults.
DEFAULT_WORKLOAD = PACKAGE_DATA / "workload.yml"
#: The four ways of planning, cheapest first.
WAYS = ("none", "individual", "templated", "hybrid")
#: The assumptions a workload must hold.
REQUIRED = (
    "individual_plan_minutes",
    "template_minutes",
    "personalise_minutes",
    "conversation_minutes",
    "checkin_minutes",
    "checkins_per_term",
    "planning_minutes_per_week",
    "students_per_teacher",
    "weeks_per_term",
    "students_per_school",
)
#: Assumptions that divide something, so they must be above zero.
_POSITIVE = ("planning_minutes_per_week", "students_per_teacher", "weeks_per_term", "students_per_school")
KINDS = ("public", "assumption", "local")
#: Assumptions about how fast one person writes: drawn together in the Monte Carlo (one shared
#: "writer speed" quantile per draw), since a slow writer is slow at all of them.
WRITER_SPEED = ("individual_plan_minutes", "template_minutes", "personalise_minutes", "adapt_template_minutes",
                "update_minutes")
CONFIDENCES = ("high", "medium-high", "medium", "low-medium", "low", "none", "local")
_FIELDS = ("description", "value", "low", "high", "unit", "source", "confidence", "kind")


@dataclass(frozen=True)
class Assumption:
    """One number of the workload model, with where it comes from.

    Attributes
    ----------
    key : str
    value : float
        The default used for point estimates.
    low, high : float
        The plausible range the Monte Carlo draws from (``low <= value <= high``).
    unit, source, description : str
    confidence : {"high", "medium-high", "medium", "low-medium", "low", "none", "local"}
    kind : {"public", "assumption", "local"}
        ``public``: the default comes from a cited public figure; ``assumption``: no source was
        found, replace it with a local figure; ``local``: the user's own figure.
    """

    key: str
    value: float
    low: float
    high: float
    unit: str
    source: str
    confidence: str
    kind: str
    description: str = ""


@dataclass(frozen=True)
class Workload:
    """A validated set of workload assumptions. Build it with :func:`load_workload`.

    Attributes
    ----------
    assumptions : mapping of str to Assumption
        In the order of the file.
    path : Path or None
        The user's file, when one was given (defaults otherwise).
    """

    assumptions: Mapping[str, Assumption]
    path: Path | None = None

    def __getitem__(self, key: str) -> Assumption:
        try:
            return self.assumptions[key]
        except KeyError:
            raise ToolkitError(
                f"unknown workload assumption '{key}'. Known assumptions: {', '.join(self.assumptions)}."
            ) from None

    @property
    def values(self) -> dict[str, float]:
        """Assumption key -> default value."""
        return {k: a.value for k, a in self.assumptions.items()}

    def with_values(self, **values: float) -> "Workload":
        """A copy with some defaults changed (ranges widened to hold the new values).

        Parameters
        ----------
        **values : float
            Assumption key -> new value.

        Returns
        -------
        Workload
        """
        new = dict(self.assumptions)
        for key, v in values.items():
            a = self[key]
            v = float(v)
            new[key] = _dc_replace(a, value=v, low=min(a.low, v), high=max(a.high, v))
        _check_positive(new, self.path)
        return Workload(MappingProxyType(new), self.path)

    def to_frame(self) -> pd.DataFrame:
        """One row per assumption: key, value, low, high, unit, kind, confidence, source."""
        rows = [
            {"assumption": a.key, "value": a.value, "low": a.low, "high": a.high, "unit": a.unit,
             "kind": a.kind, "confidence": a.confidence, "description": a.description, "source": a.source}
            for a in self.assumptions.values()
        ]
        return pd.DataFrame(rows)

    def draw(self, n_draws: int = 2000, *, distribution: str = "triangular", random_state=None,
             shared: tuple = WRITER_SPEED) -> pd.DataFrame:
        """Draw the assumptions from their ranges, for a Monte Carlo.

        The assumptions in ``shared`` (default :data:`WRITER_SPEED`) move together: each draw takes
        one quantile u and every shared assumption its own value at u (its inverse CDF). The others
        are drawn independently.

        Parameters
        ----------
        n_draws : int, default=2000
        distribution : {"triangular", "uniform"}, default="triangular"
            Triangular: between ``low`` and ``high`` with its mode at ``value``. Uniform: flat
            between ``low`` and ``high``. An assumption with ``low == high`` is constant.
        random_state : int, RandomState instance or None
            Seed; the same seed gives the same draws.
        shared : tuple of str, default=WRITER_SPEED
            Assumptions drawn with one shared quantile (``()``: all independent).

        Returns
        -------
        DataFrame
            ``n_draws`` rows, one column per assumption.
        """
        if not isinstance(n_draws, numbers.Integral) or n_draws < 1:
            raise ValueError(f"n_draws={n_draws!r} should be an integer >= 1")
        if distribution not in ("triangular", "uniform"):
            raise ValueError(f"distribution={distribution!r} should be 'triangular' or 'uniform'")
        rng = check_random_state(random_state)
        out = {}
        u_shared = rng.uniform(size=n_draws)  # drawn first: the other draws keep their order
        for key, a in self.assumptions.items():  # fixed order: same seed, same draws
            if key in shared and a.high > a.low:
                out[key] = _quantile(a, u_shared, distribution)
                continue
            if a.high == a.low:
                out[key] = np.full(n_draws, a.value, dtype=float)
            elif distribution == "triangular":
                out[key] = rng.triangular(a.low, a.value, a.high, size=n_draws)
            else:
                out[key] = rng.uniform(a.low, a.high, size=n_draws)
        return pd.DataFrame(out)


def _quantile(a: Assumption, u: np.ndarray, distribution: str) -> np.ndarray:
    """The inverse CDF of an assumption's triangular (or uniform) distribution at quantiles u."""
    lo, mode, hi = a.low, a.value, a.high
    if distribution == "uniform":
        return lo + u * (hi - lo)
    cut = (mode - lo) / (hi - lo)
    left = lo + np.sqrt(u * (hi - lo) * (mode - lo))
    right = hi - np.sqrt((1 - u) * (hi - lo) * (hi - mode))
    return np.where(u < cut, left, right)


def _fail(what: str, file, key: str | None = None, value=None, fix: str | None = None):
    """A ToolkitError in user_error's shape, with the YAML key where user_error has a column."""
    message = str(user_error(what, file=file, value=value, fix=fix))
    if key is not None:
        head = str(file)
        message = message.replace(head, f"{head}, key '{key}'", 1) if message.startswith(head) else f"key '{key}': {message}"
    return ToolkitError(message)


def _number(x, file, key):
    if isinstance(x, bool) or not isinstance(x, numbers.Real) or not math.isfinite(float(x)):
        raise _fail("expected a number", file, key, x, fix="write a plain number such as 45")
    return float(x)


def _text(x, file, key, *, allowed=None):
    if not isinstance(x, str) or not x.strip():
        raise _fail("expected a text", file, key, x, fix="write a short text")
    x = " ".join(x.split())
    if allowed is not None and x not in allowed:
        raise _fail(f"expected one of {', '.join(allowed)}", file, key, x, fix=f"use one of {', '.join(allowed)}")
    return x


def _parse_entry(key: str, raw, file, base: Assumption | None) -> Assumption:
    if isinstance(raw, numbers.Real) and not isinstance(raw, bool):
        v = _number(raw, file, key)
        return Assumption(key, v, v, v, base.unit if base else "", f"local figure from {Path(str(file)).name}",
                          "local", "local", base.description if base else "")
    if not isinstance(raw, dict):
        raise _fail("expected a number, or a mapping with value, low, high, unit, source, confidence and kind",
                    file, key, raw, fix="see toolkit/data/workload.yml for the layout")
    unknown = sorted(set(map(str, raw)) - set(_FIELDS))
    if unknown:
        raise _fail(f"unknown field '{unknown[0]}'", file, f"{key}.{unknown[0]}",
                    fix=f"use only {', '.join(_FIELDS)}")
    if base is None:
        missing = [f for f in ("value", "low", "high", "unit", "source", "confidence", "kind") if f not in raw]
        if missing:
            raise _fail(f"missing field(s) {', '.join(missing)}", file, key, fix="give every field of the assumption")
        base = Assumption(key, 0.0, 0.0, 0.0, "", "", "none", "assumption")
    fields = {}
    for f in ("value", "low", "high"):
        if f in raw:
            fields[f] = _number(raw[f], file, f"{key}.{f}")
    for f in ("unit", "source", "description"):
        if f in raw:
            fields[f] = _text(raw[f], file, f"{key}.{f}")
    if "confidence" in raw:
        fields["confidence"] = _text(raw["confidence"], file, f"{key}.confidence", allowed=CONFIDENCES)
    if "kind" in raw:
        fields["kind"] = _text(raw["kind"], file, f"{key}.kind", allowed=KINDS)
    if "value" in fields and fields["value"] != base.value and "source" not in fields:
        # The user changed a number without saying where it comes from: it is their own figure.
        fields.setdefault("source", f"local figure from {Path(str(file)).name}")
        fields.setdefault("kind", "local")
        fields.setdefault("confidence", "local")
    a = _dc_replace(base, **fields)
    for f in ("value", "low", "high"):
        if getattr(a, f) < 0:
            raise _fail("a time or a count cannot be negative", file, f"{key}.{f}", getattr(a, f),
                        fix="write a number of zero or more")
    if not a.low <= a.value <= a.high:
        raise _fail(f"the range must hold the value: low={a.low:g} <= value={a.value:g} <= high={a.high:g} is false",
                    file, key, fix="give low and high around the value")
    return a


def _check_positive(assumptions: Mapping[str, Assumption], file) -> None:
    for key in _POSITIVE:
        a = assumptions[key]
        if a.low <= 0:
            raise _fail("must be above zero (the study divides by it)", file or DEFAULT_WORKLOAD, f"{key}.low", a.low,
                        fix="give a positive number")


def _read_yaml(path: Path):
    text, _ = read_text_file(path, "workload", "Give the path of a workload .yml file.")
    data = parse_yaml(text, str(path), "workload file")
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise user_error("expected a mapping of assumption keys to their values", file=path, value=data,
                         fix="see toolkit/data/workload.yml for the layout")
    return data


def load_workload(path: str | PathLike | None = None) -> Workload:
    """Read the workload assumptions: the bundled defaults, or a user's file on top of them.

    Parameters
    ----------
    path : path, optional
        A YAML file with some or all of the assumptions (see ``toolkit/data/workload.yml``). An
        entry may be a full mapping, some of its fields (the rest keep their defaults) or a bare
        number (a local figure with no range). A changed value with no ``source`` is marked
        ``kind: local``.

    Returns
    -------
    Workload

    Raises
    ------
    ToolkitError
        For a missing or malformed file, an unknown assumption or field, a value that is not a
        number, a negative value, a range that does not hold its value, or a zero where the
        study divides. The message names the file, the key and the value.

    Examples
    --------
    >>> w = load_workload()
    >>> w["students_per_teacher"].value, w["students_per_teacher"].kind
    (150.0, 'public')
    >>> w["template_minutes"].kind
    'assumption'
    """
    data = _read_yaml(DEFAULT_WORKLOAD)
    defaults = {str(k): _parse_entry(str(k), v, DEFAULT_WORKLOAD, None) for k, v in data.items()}
    missing = [k for k in REQUIRED if k not in defaults]
    if missing:  # pragma: no cover - the bundled file is tested
        raise _fail(f"missing assumption(s) {', '.join(missing)}", DEFAULT_WORKLOAD)
    if path is None:
        _check_positive(defaults, DEFAULT_WORKLOAD)
        return Workload(MappingProxyType(defaults), None)
    path = Path(path)
    user = _read_yaml(path)
    merged = dict(defaults)
    for k, v in user.items():
        key = str(k)
        if key not in defaults:
            raise _fail("unknown workload assumption", path, key, fix=f"use one of {', '.join(defaults)}")
        merged[key] = _parse_entry(key, v, path, defaults[key])
    _check_positive(merged, path)
    return Workload(MappingProxyType(merged), path)


#: Columns of a time log: one row per timed task.
TIME_LOG_COLUMNS = ("date", "task", "minutes", "students")
#: Header and two example rows of the time-log template a teacher fills.
TIME_LOG_TEMPLATE = (
    "date,task,minutes,students\n"
    "2026-09-14,personalise_minutes,95,5\n"
    "2026-09-15,template_minutes,80,1\n"
)


def apply_time_log(workload: Workload, path: str | PathLike) -> tuple[Workload, list[str]]:
    """Turn a teacher's logged minutes into local values and ranges of the workload's assumptions.

    Parameters
    ----------
    workload : Workload
    path : path
        CSV with columns ``date, task, minutes, students``: ``task`` is an assumption key (such as
        ``personalise_minutes``), ``minutes`` the time the task took, ``students`` how many students
        (or templates) it covered (blank = 1). See :data:`TIME_LOG_TEMPLATE`.

    Returns
    -------
    (Workload, list of str)
        The workload with every logged assumption's value the median of minutes / students, its
        range the smallest to the largest logged value (with one row, the default range widened to
        hold it, said in the messages), ``kind: local``; and one sentence per assumption now local.

    Raises
    ------
    ToolkitError
        A missing column, an unknown task, or minutes/students that are not positive numbers; the
        message names the file, the row, the column and the value.
    """
    path = Path(path)
    if not path.is_file():
        raise user_error("the time log does not exist", file=path, fix="give the path of a CSV with columns date, task, minutes, students")
    try:
        log = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise user_error(f"the time log cannot be read as CSV ({exc.__class__.__name__})", file=path,
                         fix="save it as CSV (UTF-8) with columns date, task, minutes, students") from None
    log.columns = [str(c).strip().lower() for c in log.columns]
    for col in ("task", "minutes"):
        if col not in log.columns:
            raise user_error("the time log has no such column", file=path, column=col,
                             fix="use the header date,task,minutes,students")
    per: dict[str, list[float]] = {}
    for i, r in log.iterrows():
        row = int(i) + 2  # the header is line 1
        task = r["task"].strip()
        if not task:
            continue
        if task not in workload.assumptions:
            raise user_error("unknown task in the time log", file=path, row=row, column="task", value=task,
                             fix=f"use an assumption key such as {', '.join(list(workload.assumptions)[:4])}")
        vals = {}
        for col in ("minutes", "students"):
            raw = r.get(col, "").strip() if col in log.columns else ""
            if col == "students" and raw == "":
                vals[col] = 1.0
                continue
            try:
                x = float(raw)
            except ValueError:
                x = float("nan")
            if not math.isfinite(x) or x <= 0:
                raise user_error(f"{col} should be a number above 0", file=path, row=row, column=col, value=raw,
                                 fix=f"write the {col} as a plain number such as 45")
            vals[col] = x
        per.setdefault(task, []).append(vals["minutes"] / vals["students"])
    new = dict(workload.assumptions)
    messages = []
    for key, xs in per.items():
        a = workload[key]
        med = float(np.median(xs))
        if len(xs) >= 2:
            lo, hi = float(min(xs)), float(max(xs))
            spread = f"range {lo:g}-{hi:g} over {len(xs)} logged tasks"
        else:
            lo, hi = min(a.low, med), max(a.high, med)
            spread = f"one logged task, so the default range {lo:g}-{hi:g} is kept: log more to narrow it"
        new[key] = _dc_replace(a, value=med, low=lo, high=hi, kind="local", confidence="local",
                               source=f"local time log {path.name}: median of {len(xs)} logged task(s); {spread}")
        messages.append(f"{key} is now local: {med:g} ({spread}).")
    _check_positive(new, path)
    return Workload(MappingProxyType(new), workload.path), messages
