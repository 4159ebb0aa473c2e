"""Students' goals read back into their plans (``toolkit plans import-goals``)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import user_error
from .drafting import _text

__all__ = ["GoalImport", "import_goals"]


@dataclass(frozen=True)
class GoalImport:
    """The result of :func:`import_goals`.

    Attributes
    ----------
    plans : DataFrame
        The plans table with the imported goals in its ``goal`` column.
    updated : tuple of str
        Pseudonyms whose goal was set.
    unknown : DataFrame
        Rows of the goals file whose pseudonym has no plan (columns row, pseudonym, goal): reported,
        never dropped silently.
    blank : int
        Rows with an empty goal (left as they were).
    """

    plans: pd.DataFrame
    updated: tuple[str, ...]
    unknown: pd.DataFrame
    blank: int

    def summary(self) -> str:
        """One or two plain sentences for the teacher."""
        msg = f"Imported {len(self.updated)} goal(s)"
        if self.blank:
            msg += f"; {self.blank} row(s) had no goal and were left as they were"
        msg += "."
        if len(self.unknown):
            first = ", ".join(self.unknown["pseudonym"].astype(str).head(3))
            msg += (f" {len(self.unknown)} row(s) have a pseudonym with no plan (first: {first}); they were not "
                    f"imported. Check that the students copied their code correctly.")
        return msg


# --------------------------------------------------------------------------------------------
# drafting


def import_goals(plans: pd.DataFrame, goals: pd.DataFrame, *, source: str = "goals file", scrub: bool = True,
                 names=()) -> GoalImport:
    """Put the goals students wrote on their reflection sheets into the plans table.

    Parameters
    ----------
    plans : DataFrame
        The plans table (:meth:`PlanSet.to_frame`, or plans.csv read back), index or column
        ``pseudonym``, with a ``goal`` column.
    goals : DataFrame
        Columns ``pseudonym`` and ``goal`` (headers matched without regard to case or spaces),
        as read from the file (all text).
    source : str
        The file name, for messages.
    scrub : bool, default=True
        Remove identifiers (emails, phone numbers, IDs, names) from the goals with
        :func:`toolkit.privacy.scrub_text` before they enter the plans: a student may have written
        their name next to the goal.
    names : iterable of str, default=()
        Names to scrub as well (a class roster).

    Returns
    -------
    GoalImport
        Unknown pseudonyms are listed in ``.unknown``, never dropped silently.

    Raises
    ------
    ToolkitError
        A column is missing, or a pseudonym appears twice with different goals.
    """
    table = plans.copy()
    if "pseudonym" in table.columns:
        table = table.set_index("pseudonym")
    if "goal" not in table.columns:
        raise user_error("the plans table has no 'goal' column", column="goal",
                         fix="use the plans.csv written by 'toolkit plans'")
    cols = {" ".join(str(c).casefold().split()): c for c in goals.columns}
    for need in ("pseudonym", "goal"):
        if need not in cols:
            raise user_error(f"the goals file has no '{need}' column (its columns: {', '.join(map(str, goals.columns))})",
                             file=source, column=need,
                             fix="give a CSV with the columns pseudonym and goal, one row per student")
    g = pd.DataFrame({
        "row": np.arange(2, len(goals) + 2),
        "pseudonym": goals[cols["pseudonym"]].map(_text).to_numpy(dtype=object),
        "goal": goals[cols["goal"]].map(_text).to_numpy(dtype=object),
    })
    g = g[g["pseudonym"] != ""]
    if scrub and len(g):
        from ..scrub import scrub_text

        g["goal"] = scrub_text(g["goal"], names=names).fillna("").map(_text).to_numpy(dtype=object)
    dup = g[g.duplicated("pseudonym", keep=False)]
    if len(dup) and dup.groupby("pseudonym")["goal"].nunique().max() > 1:
        first = dup.iloc[1]
        raise user_error("this pseudonym appears on two rows with different goals", file=source, row=int(first["row"]),
                         column="pseudonym", value=first["pseudonym"], fix="keep one goal per student")
    g = g.drop_duplicates("pseudonym", keep="last")
    known = g["pseudonym"].isin(table.index.astype(str))
    unknown = g.loc[~known, ["row", "pseudonym", "goal"]].reset_index(drop=True)
    use = g[known & (g["goal"] != "")]
    goal_col = table["goal"].astype(object).where(table["goal"].notna(), "")
    goal_col = goal_col.map(_text)
    goal_col.loc[use["pseudonym"].to_numpy()] = use["goal"].to_numpy()
    table["goal"] = goal_col
    return GoalImport(
        plans=table,
        updated=tuple(sorted(use["pseudonym"])),
        unknown=unknown,
        blank=int((g.loc[known, "goal"] == "").sum()),
    )


# --------------------------------------------------------------------------------------------
# helpers
