"""Which strategies a plan gets: a profile's template, the neediest profile's extra attention, a
student's added strategy, what their sheet offers, and where their own words contradict the plan.

The rules are stated in :mod:`toolkit.plans.drafting`; the order between equals is the library's.
"""

from __future__ import annotations

import pandas as pd

from .strategies import GROUP_GROUPINGS, MARKS, Strategy, StrategyLibrary


def _targeted(library: StrategyLibrary, ids) -> float:
    """Teacher minutes a week of a template's strategies that are not whole-class (the differentiation)."""
    return float(sum(library.get(i).minutes_per_week for i in ids if library.get(i).grouping != "whole_class"))


def _attend_by_need(library, chosen: dict, focus: dict, mean_need: pd.DataFrame, tag_of: dict):
    """Give the neediest profile at least as much small-group and relational time as any other.

    The neediest profile is the one with the largest sum of positive mean needs. While its
    targeted (not whole-class) minutes a week are below another template's, the best small-group
    or pairs strategy serving one of its focus areas is added (one that builds relationships, tag
    ``belonging``, first), up to 6 strategies. ``chosen`` is updated in place; returns the profile.
    """
    if len(chosen) < 2:
        return None
    total = mean_need.clip(lower=0).sum(axis=1)
    neediest = int(total.idxmax())
    if not focus[neediest]:
        return None
    ids, stretch = chosen[neediest]
    others = max(_targeted(library, chosen[k][0]) for k in chosen if k != neediest)
    focus_tags = {tag_of[c] for c in focus[neediest]}
    pos = {s.id: i for i, s in enumerate(library.strategies)}
    while _targeted(library, ids) < others and len(ids) < 6:
        cands = [s for s in library if s.id not in ids and s.supports in ("low", "both")
                 and s.grouping in ("small_group", "pairs") and any(t in focus_tags for t in s.tags)]
        if not cands:
            break
        pick = min(cands, key=lambda s: ("belonging" not in s.tags, -sum(t in focus_tags for t in s.tags),
                                         MARKS.index(s.mark), pos[s.id]))
        ids = tuple(i for i in ids if i != stretch) + (pick.id,) + ((stretch,) if stretch else ())
    chosen[neediest] = (ids, stretch)
    return neediest


def _offer(library, chosen, goal_strategy, added, template, crossed, n=3) -> tuple[str, ...]:
    """The strategies the student's sheet offers: theirs first, then their goal's, the added one, then
    the template's (small-group and individual before whole-class); none they crossed; at most n."""
    order = list(chosen) + [goal_strategy, added]
    order += [i for i in template if library.get(i).grouping != "whole_class"]
    order += [i for i in template if library.get(i).grouping == "whole_class"]
    out = [i for i in dict.fromkeys(order) if i and i not in crossed]
    return tuple(out[:n])


_ALONE = ("quiet", "alone", "on my own", "by myself")


def _contradictions(library, helps: str, htags, template, growth, tag_of) -> list[str]:
    """Where what the student wrote helps them contradicts what the plan assumes."""
    out = []
    need_tags = {tag_of[c] for c in tuple(template.focus) + tuple(growth)}
    for tag in htags:
        if tag not in library.preference_tags:
            continue
        low_only = [i for i in template.strategies if tag in library.get(i).tags and library.get(i).supports == "low"]
        if tag in need_tags or low_only:
            out.append(f"they wrote that \"{helps}\" helps them, but the plan treats "
                       f"{library.student_label(tag).lower()} as something to support")
    low = helps.casefold()
    if template.stretch_strategy and any(w in low for w in _ALONE):
        stretch = library.get(template.stretch_strategy)
        if any(t in library.preference_tags for t in stretch.tags):
            out.append(f"they wrote that \"{helps}\" helps them, and the template builds on "
                       f"{library.student_label(next(t for t in stretch.tags if t in library.preference_tags)).lower()}")
    return out


def _rank(s: Strategy, tag: str, need: str, focus_tags: set[str], position: int) -> tuple:
    covers = sum(1 for t in s.tags if t in focus_tags) if need == "low" else 0
    return (s.tags[0] != tag, -covers, s.supports != need, MARKS.index(s.mark), position)


def _best(library: StrategyLibrary, tag: str, need: str, *, exclude, groupings=GROUP_GROUPINGS, focus_tags=frozenset()) -> str:
    pos = {s.id: i for i, s in enumerate(library.strategies)}
    cands = [s for s in library.with_tag(tag, need=need, groupings=groupings) if s.id not in exclude]
    if not cands:
        return ""
    return min(cands, key=lambda s: _rank(s, tag, need, set(focus_tags), pos[s.id])).id


def _template_strategies(library, focus, strengths, tag_of, mean_need) -> tuple[tuple[str, ...], str]:
    chosen: list[str] = []
    focus_tags = {tag_of[c] for c in focus}

    def served(tag):
        return any(library.get(i).serves(tag, need="low") for i in chosen)

    for c in focus:
        if not served(tag_of[c]):
            sid = _best(library, tag_of[c], "low", exclude=chosen, focus_tags=focus_tags) or \
                _best(library, tag_of[c], "low", exclude=chosen, groupings=None, focus_tags=focus_tags)
            if sid:
                chosen.append(sid)
    for c in focus:  # at least two strategies where the library allows
        if len(chosen) >= 2:
            break
        sid = _best(library, tag_of[c], "low", exclude=chosen, focus_tags=focus_tags)
        if sid:
            chosen.append(sid)
    stretch = ""
    n_stretch = 1 if focus else 2
    for c in strengths:
        if len(chosen) >= 4 or n_stretch == 0:
            break
        sid = _best(library, tag_of[c], "high", exclude=chosen)
        if sid:
            chosen.append(sid)
            stretch = stretch or sid
            n_stretch -= 1
    if len(chosen) < 2:  # no focus and too few strengths: support the relatively largest needs
        for c in mean_need.sort_values(ascending=False, kind="stable").index:
            if len(chosen) >= 2:
                break
            if tag_of[c] in library.preference_tags:  # a preference is not a need
                continue
            sid = _best(library, tag_of[c], "low", exclude=chosen)
            if sid:
                chosen.append(sid)
    if stretch:  # the stretch strategy goes last
        chosen = [i for i in chosen if i != stretch] + [stretch]
    return tuple(chosen), stretch


def _individual_strategy(library: StrategyLibrary, tag: str, *, exclude) -> str:
    return (_best(library, tag, "low", exclude=exclude, groupings=("individual",))
            or _best(library, tag, "low", exclude=exclude, groupings=None))
