"""Small wording helpers of the plans: a profile described in words, text cells made one line."""

from __future__ import annotations

import pandas as pd

from .._words import count


def _phrase(key: str, labels, better, *, need: bool) -> str:
    label = labels[key]
    label = label[0].lower() + label[1:] if label[:2] != label[:2].upper() else label
    higher = better[key] != need
    return ("higher " if higher else "lower ") + label


def _join(parts: list[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _describe(n: int, focus, strengths, labels, better) -> str:
    who = f"{count(n, 'student')}."
    if focus:
        text = (f"{who} Compared with all the students surveyed, they report "
                f"{_join([_phrase(c, labels, better, need=True) for c in focus])}: the focus of this template.")
    else:
        text = f"{who} No area stands out as a need compared with all the students surveyed."
    if strengths:
        text += f" They bring {_join([_phrase(c, labels, better, need=False) for c in strengths])} to build on."
    return text


def _text(x) -> str:
    if x is None or (not isinstance(x, str) and pd.isna(x)):
        return ""
    return " ".join(str(x).split())


def _md(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")
