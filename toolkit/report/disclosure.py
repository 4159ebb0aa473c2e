"""Suppression planned over the whole report page, so that no table undoes another.

:func:`toolkit.suppression.suppress` protects one table at a time. A page has several tables
about the same students - who responded by each group, the rows left out, the profiles, whether
profiles carry over to each group, how many moved between waves - and a count hidden in one can
come back from another: a group shown in "Who responded" and hidden in the transfer table; the
rows read minus the students kept when a single reason left rows out; a profile's size minus its
students in both waves, which is the small number of that profile who missed the second wave.

Here every count on the page is one cell of one system of linear relations (a total is the sum
of its parts, across tables as within them), some cells never shown but derived from shown ones
(those missing from the second wave, for example). A cell of 1 to ``min_cell - 1`` students is
*sensitive*, shown or not. Sensitive cells that would be shown are hidden, and then, as in
:func:`toolkit.suppression.hidden_mask`, a linear-programming audit looks for any sensitive cell
that an attacker who knows every shown cell, every relation and that counts are never negative
could pin to one whole number (fewer than two whole numbers fit its range); for each, the
smallest shown non-zero cell in a relation with it is hidden too (a complement), until none is
left. The same cell (the same group of the same students) is then shown or hidden in every
table alike.

Choices, stated once
--------------------
- Zero is shown and never used as a complement, as in :mod:`toolkit.suppression`.
- The number of students kept (and of students scored) is public: the report states it in
  words. The number in both waves is not (with the students scored it gives how many missed the
  second wave). Rows read, the counts of each exclusion reason and every
  group and profile count can be hidden.
- A sensitive cell is protected when no shown information pins it to one whole number (the rule
  of :func:`toolkit.suppression.hidden_mask`) and when the largest value it could take is at least
  ``min_cell``: the page must not even tell that a hidden count is a small one (rows read minus
  students kept gives the sum of the exclusion reasons, which bounds each of them).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..config import MIN_CELL
from ..suppression import HIDDEN, whole_number_range

__all__ = ["PagePlan", "plan_page"]

Key = tuple


@dataclass
class PagePlan:
    """Which counts of the report page are shown and which hidden.

    Attributes
    ----------
    values : dict
        Cell key -> true count (never shown as such; keys are tuples such as
        ``("kept", "Gender", "Female")``).
    relations : list of (key, list of keys)
        ``parent = sum(children)``, across and within tables.
    displayed : set
        Keys that some table shows.
    public : set
        Keys always shown (totals the report states in words).
    hidden : set
        Displayed keys shown as hidden.
    min_cell : int
    weight : dict
        Key -> how much hiding the cell costs the reader (complements are chosen cheapest first,
        then smallest): the profile sizes and group counts a leader reads matter more than the
        count of students in both waves.
    """

    values: dict = field(default_factory=dict)
    relations: list = field(default_factory=list)
    displayed: set = field(default_factory=set)
    public: set = field(default_factory=set)
    hidden: set = field(default_factory=set)
    min_cell: int = MIN_CELL
    weight: dict = field(default_factory=dict)

    # -- building ---------------------------------------------------------------------------
    def add(self, key: Key, value: int, *, displayed: bool = True, public: bool = False, weight: int = 2) -> Key:
        """Add a cell (its true count); ``displayed`` when a table shows it; ``weight`` its cost as a complement."""
        self.values[key] = int(value)
        self.weight[key] = int(weight)
        if displayed:
            self.displayed.add(key)
        if public:
            self.public.add(key)
        return key

    def relate(self, parent: Key, children) -> None:
        """State that ``parent`` is the sum of ``children``."""
        children = [c for c in children if c in self.values]
        if parent in self.values and children:
            self.relations.append((parent, children))

    # -- reading ----------------------------------------------------------------------------
    def sensitive(self) -> list[Key]:
        """Cells of 1 to ``min_cell - 1`` students, shown or not (public totals excepted)."""
        return [k for k, v in self.values.items() if 0 < v < self.min_cell and k not in self.public]

    def is_hidden(self, key: Key) -> bool:
        """Whether a table shows this cell as hidden."""
        return key in self.hidden

    def text(self, key: Key) -> str:
        """The cell as a table shows it: its count, or ``"hidden"``."""
        return HIDDEN if key in self.hidden else f"{self.values[key]:d}"

    # -- the audit --------------------------------------------------------------------------
    def _system(self):
        keys = list(self.values)
        pos = {k: i for i, k in enumerate(keys)}
        A = np.zeros((len(self.relations), len(keys)))
        for r, (parent, children) in enumerate(self.relations):
            A[r, pos[parent]] -= 1.0
            for c in children:
                A[r, pos[c]] += 1.0
        return keys, pos, A

    def recoverable(self) -> list[Key]:
        """Sensitive cells an attacker can pin to one whole number, or bound below ``min_cell``, from
        everything the page shows.

        The attacker knows every displayed cell that is not hidden, every relation, and that
        counts are never negative; :func:`toolkit.suppression.whole_number_range` (the tables' own
        audit) gives each sensitive cell's smallest and largest possible value.
        """
        keys, pos, A = self._system()
        vals = np.array([self.values[k] for k in keys], dtype=float)
        known = np.array([(k in self.displayed and k not in self.hidden) for k in keys])
        unknown = np.flatnonzero(~known)
        if len(unknown) == 0:
            return [k for k in self.sensitive()]
        Au = A[:, unknown]
        rhs = -(A[:, known] @ vals[known])
        rows = np.any(Au != 0, axis=1)
        Au, rhs = Au[rows], rhs[rows]
        where = {int(u): j for j, u in enumerate(unknown)}
        out = []
        for k in self.sensitive():
            i = pos[k]
            if known[i]:
                out.append(k)  # shown outright
                continue
            j = where[i]
            if len(Au) == 0 or not np.any(Au[:, j]):
                continue  # in no relation: nothing pins it
            bottom, top = whole_number_range(Au, rhs, j)
            if top - bottom < 1 or top < self.min_cell:  # pinned, or known to be a small count (inf: safe)
                out.append(k)
        return out

    def _complement_for(self, key: Key) -> Key | None:
        """The cell to hide next to protect ``key``: a shown, non-zero, non-public cell linked to it
        by relations (directly, or through hidden or derived cells), the cheapest to the reader
        first (``weight``), then the nearest, then the smallest."""
        depth, frontier, candidates = {key: 0}, [key], []
        while frontier:
            nxt = []
            for k in frontier:
                for parent, children in self.relations:
                    line = [parent, *children]
                    if k not in line:
                        continue
                    for c in line:
                        if c in depth:
                            continue
                        depth[c] = depth[k] + 1
                        if c in self.displayed and c not in self.hidden and c not in self.public and self.values[c] > 0:
                            candidates.append(c)
                        elif c not in self.displayed or c in self.hidden:
                            nxt.append(c)  # look through hidden and derived cells
            frontier = nxt
        if not candidates:
            return None
        return min(candidates, key=lambda c: (self.weight.get(c, 2), depth[c], self.values[c], str(c)))

    def solve(self) -> "PagePlan":
        """Hide sensitive shown cells, then complements until no sensitive cell can be pinned."""
        self.hidden |= {k for k in self.sensitive() if k in self.displayed}
        for _ in range(len(self.values) + 1):
            open_ = self.recoverable()
            if not open_:
                return self
            progressed = False
            for k in open_:
                c = self._complement_for(k)
                if c is not None:
                    self.hidden.add(c)
                    progressed = True
                    break
            if not progressed:  # nothing left to hide around it: hide every non-public displayed cell
                self.hidden |= {k for k in self.displayed if k not in self.public}
                return self
        return self


def _group_counts(values: pd.Series) -> pd.Series:
    return values.astype("string").fillna("(not answered)").value_counts()


def plan_page(r) -> PagePlan:
    """The suppression plan of the report page for :func:`toolkit.report.assemble`'s results.

    Parameters
    ----------
    r : ReportInputs

    Returns
    -------
    PagePlan
        Solved: ``plan.text(key)`` is what each table shows. Keys: ``("read",)``, ``("kept",)``,
        ``("left out", reason)``, ``("kept", column, value)`` for each group column,
        ``("scored", "profile", k)``, ``("both",)``, ``("both", "profile", k)``,
        ``("both", "stayed", k)``, ``("both", "moved", k)``, ``("both", "stayed")``,
        ``("both", "moved")``.
    """
    plan = PagePlan(min_cell=int(r.min_cell))
    disc = r.clean.disclosure
    kept = plan.add(("kept",), int(disc.rows["kept"]), public=True)
    read = plan.add(("read",), int(disc.rows["read"]), weight=1)
    reasons = [plan.add(("left out", str(reason)), int(n)) for reason, n in sorted(dict(disc.exclusions).items())]
    plan.relate(read, [kept, *reasons])
    responses = r.clean.responses
    for column in r.codebook.group_columns:
        counts = _group_counts(responses[column])
        cells = [plan.add(("kept", column, str(v)), int(n)) for v, n in counts.items()]
        plan.relate(kept, cells)
    # Profiles: the students the solution describes (those with scores).
    sizes = r.solution.sizes.astype(int)
    scored = plan.add(("scored",), int(sizes.sum()), public=True)
    prof = {int(k): plan.add(("scored", "profile", int(k)), int(n)) for k, n in sizes.items()}
    plan.relate(scored, list(prof.values()))
    if int(sizes.sum()) != plan.values[kept]:
        plan.relate(kept, [scored, plan.add(("kept", "unscored"), plan.values[kept] - int(sizes.sum()), displayed=False)])
    # Profile changes between waves, at the level of stayed / moved per profile.
    tr = _raw_transitions(r)
    if tr is not None and len(tr):
        # Not public: with the students scored, it gives how many missed the second wave.
        both = plan.add(("both",), int(tr["n"].sum()), weight=1)
        stayed_all = plan.add(("both", "stayed"), int(tr["stayed"].sum()), weight=1)
        moved_all = plan.add(("both", "moved"), int(tr["changed"].sum()), weight=1)
        plan.relate(both, [stayed_all, moved_all])
        ns, st, mv = [], [], []
        for row in tr.itertuples():
            k = int(row.wave1_profile)
            n = plan.add(("both", "profile", k), int(row.n), weight=0)
            s = plan.add(("both", "stayed", k), int(row.stayed), weight=1)
            m = plan.add(("both", "moved", k), int(row.changed), weight=1)
            plan.relate(n, [s, m])
            ns.append(n), st.append(s), mv.append(m)
            if k in prof:  # the profile's students not in both waves: never shown, but derivable
                gone = plan.add(("wave 1 only", "profile", k), plan.values[prof[k]] - int(row.n), displayed=False)
                plan.relate(prof[k], [n, gone])
        plan.relate(both, ns)
        plan.relate(stayed_all, st)
        plan.relate(moved_all, mv)
    return plan.solve()


def _raw_transitions(r) -> pd.DataFrame | None:
    """Wave-1 profile, students in both waves, stayed and changed (unsuppressed), without the total row."""
    raw = getattr(r, "transitions", None)
    if raw is None:
        return None
    t = raw[raw["wave1_profile"].astype(str) != "all"].copy()
    for c in ("n", "stayed", "changed"):
        t[c] = pd.to_numeric(t[c], errors="raise").astype(int)
    return t
