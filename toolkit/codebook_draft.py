"""Draft a codebook from an export, for a person to finish.

``toolkit codebook init EXPORT --out codebook.yml`` calls :func:`draft_codebook`. It reads the
headers and answers and guesses each column's role:

- platform metadata (timestamps, emails, IP addresses, ...): left out, listed in a comment;
- the student ID and name columns (by header);
- Likert-like items: every answer is a label of one known scale (agreement, frequency,
  likelihood, satisfaction, importance, "true of me", quality) or a small whole number;
- group columns: a header such as Grade, Section, Class, Gender, or few distinct values;
- free-text student voice: longer, varied answers.

Items are grouped into one construct per Google Forms grid (``Question [Row]``) or Qualtrics
matrix (``Q3_1``, ``Q3_2``...). The other items are grouped by the answers: items that students
answer alike are proposed as one construct (average-linkage clustering of the item correlations,
see :func:`_cluster_items`). Reverse-key hints are computed within each proposed construct. Each
construct gets a guessed ``tag`` from the strategy library (by its wording; the library's tags are
listed in a comment) and ``higher_is_better: false`` when its wording speaks of anxiety, worry,
stress, fear or nerves.

TODO marks sit on every line a person must decide: the title, each construct's label, tag and
direction, each reverse-key hint, unsure group columns. The draft parses as it is (so it can be
inspected), but :func:`toolkit.codebook.load_codebook`, and with it every command, refuses it until
each mark is deleted. No answer value that could identify a student is written into it (only
headers and scale labels).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .codebook import NEED_WORDS, library_tags, parse_codebook
from .errors import user_error
from ._io_codebook import _label_key
from .io import RawExport, platform_metadata_reason
from .privacy.columns import identifying_columns

__all__ = ["CodebookDraft", "draft_codebook", "KNOWN_SCALES"]

#: Answer scales the draft recognises, lowest answer first.
KNOWN_SCALES = {
    "agreement (4 points)": ("Strongly disagree", "Disagree", "Agree", "Strongly agree"),
    "agreement (5 points)": ("Strongly disagree", "Disagree", "Neither agree nor disagree", "Agree", "Strongly agree"),
    "agreement (5 points, neutral)": ("Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"),
    "agreement (5 points, undecided)": ("Strongly disagree", "Disagree", "Undecided", "Agree", "Strongly agree"),
    "agreement (5 points, or)": ("Strongly disagree", "Disagree", "Neither agree or disagree", "Agree", "Strongly agree"),
    "agreement (7 points)": (
        "Strongly disagree", "Disagree", "Somewhat disagree", "Neither agree nor disagree", "Somewhat agree", "Agree", "Strongly agree",
    ),
    "frequency (4 points)": ("Never", "Sometimes", "Often", "Always"),
    "frequency (5 points)": ("Never", "Rarely", "Sometimes", "Often", "Always"),
    "frequency (5 points, very often)": ("Never", "Rarely", "Sometimes", "Often", "Very often"),
    "frequency (5 points, usually)": ("Never", "Rarely", "Sometimes", "Usually", "Always"),
    "frequency (5 points, almost)": ("Almost never", "Rarely", "Sometimes", "Often", "Almost always"),
    "likelihood (5 points)": ("Very unlikely", "Unlikely", "Neither likely nor unlikely", "Likely", "Very likely"),
    "likelihood (5 points, neutral)": ("Very unlikely", "Unlikely", "Neutral", "Likely", "Very likely"),
    "satisfaction (5 points)": ("Very dissatisfied", "Dissatisfied", "Neither satisfied nor dissatisfied", "Satisfied", "Very satisfied"),
    "satisfaction (5 points, neutral)": ("Very dissatisfied", "Dissatisfied", "Neutral", "Satisfied", "Very satisfied"),
    "importance (5 points)": ("Not at all important", "Slightly important", "Moderately important", "Very important", "Extremely important"),
    "true of me (5 points)": ("Not at all true of me", "Slightly true of me", "Somewhat true of me", "Mostly true of me", "Very true of me"),
    "true (5 points)": ("Not at all true", "A little true", "Somewhat true", "Mostly true", "Very true"),
    "quality (5 points)": ("Very poor", "Poor", "Fair", "Good", "Excellent"),
}
_SCALE_KEYS = {name: tuple(_label_key(x) for x in labels) for name, labels in KNOWN_SCALES.items()}
_ID_HEADER = re.compile(r"student\s*(id|number|no\b|#)|pupil\s*(id|number)|\bid\s*(number|no)\b|^(student|pupil)?\s*id$|matricul", re.I)
_NAME_HEADER = re.compile(r"\bname\b|^recipient(first|last)name$", re.I)
_GROUP_HEADER = re.compile(
    r"\b(grade|year|section|class|period|gender|sex|school|teacher|homeroom|form|cohort|group|campus|course|subject|stream|house|block)\b",
    re.I,
)


def _group_header(col) -> bool:
    """A short header such as "Grade", "Class period" or "Your section" (not a long statement)."""
    return len(str(col).split()) <= 4 and bool(_GROUP_HEADER.search(str(col)))


_GRID = re.compile(r"^(.*\S)\s*\[(.+)\]\s*$")
_QUALTRICS_MATRIX = re.compile(r"^(Q\w*?)_(\d+)$", re.I)


@dataclass(frozen=True, eq=False)  # holds a DataFrame
class CodebookDraft:
    """A drafted codebook.

    Attributes
    ----------
    yaml : str
        The codebook text with TODO comments; loads with :func:`toolkit.codebook.parse_codebook`.
    columns : DataFrame
        One row per export column: ``column, role, detail`` (role is ``id``, ``name``, ``item``,
        ``group``, ``group?``, ``voice``, ``metadata``, ``identifying`` or ``unused``).
    """

    yaml: str
    columns: pd.DataFrame


def _q(s: str) -> str:
    # A JSON string is a valid YAML double-quoted scalar: safe for any header text.
    return json.dumps(str(s), ensure_ascii=False)


def _slug(text: str, limit: int = 30) -> str:
    s = re.sub(r"[^0-9a-zA-Z]+", "_", str(text).lower()).strip("_")[:limit].strip("_")
    if not s or not s[0].isalpha():
        s = "q_" + s
    return s


def _unique_key(base: str, used: set) -> str:
    key, k = base, 2
    while key in used:
        key = f"{base}_{k}"
        k += 1
    used.add(key)
    return key


def _observed(values: pd.Series):
    """("labels", {key: spelling}) when every answer is a label of a known scale, ("numeric",
    set of whole numbers 0..10), or None when the column is not Likert-like."""
    vals = [v.strip() for v in pd.unique(values.to_numpy()) if isinstance(v, str) and v.strip()]
    if len(vals) < 2:
        return None
    keys = {_label_key(v): v for v in vals}
    if any(set(keys) <= set(sk) for sk in _SCALE_KEYS.values()):
        return "labels", keys
    if all(re.fullmatch(r"\d+(\.0+)?", v) for v in vals):
        nums = {int(float(v)) for v in vals}
        if min(nums) >= 0 and max(nums) <= 10:
            return "numeric", nums
    return None


def _choose_scales(observed: dict) -> dict:
    """One scale per item column, shared as widely as the answers allow.

    A column that happens to lack the middle answer must not be read on a 4-point scale while
    its neighbours use 5 points, so the scale covering the most columns is chosen first (ties:
    fewer labels), then the next one for the columns left, and so on.
    """
    out = {}
    remaining = {c: o[1] for c, o in observed.items() if o[0] == "labels"}
    while remaining:
        best = max(
            _SCALE_KEYS,
            key=lambda name: (sum(set(k) <= set(_SCALE_KEYS[name]) for k in remaining.values()), -len(_SCALE_KEYS[name])),
        )
        covered = [c for c, k in remaining.items() if set(k) <= set(_SCALE_KEYS[best])]
        spelling = {}
        for c in covered:
            spelling.update(remaining.pop(c))
        spelled = tuple(spelling.get(k, lab) for k, lab in zip(_SCALE_KEYS[best], KNOWN_SCALES[best]))
        out.update({c: (best, spelled) for c in covered})
    numeric = {c: o[1] for c, o in observed.items() if o[0] == "numeric"}
    if numeric:
        nums = set().union(*numeric.values())
        lo, hi = next(((lo, hi) for lo, hi in ((1, 4), (1, 5), (1, 7), (0, 10), (1, 10)) if lo <= min(nums) and max(nums) <= hi), (0, 10))
        out.update({c: ("numeric", (lo, hi)) for c in numeric})
    return out


def draft_codebook(raw: RawExport, *, title: str | None = None) -> CodebookDraft:
    """Draft a codebook from an export read without one.

    Parameters
    ----------
    raw : RawExport
        From ``read_export(path)`` (no codebook). For Qualtrics the columns are its ids
        (``Q1_1``); the question text goes into each item's ``text``.
    title : str, optional
        Codebook title; default the export's file name.

    Returns
    -------
    CodebookDraft

    Raises
    ------
    ToolkitError
        No column looks like a Likert item, so there is nothing to score.

    Examples
    --------
    >>> from toolkit.config import SAMPLE_DIR
    >>> from toolkit.io import read_export
    >>> draft = draft_codebook(read_export(SAMPLE_DIR / "survey_export.csv"))
    >>> draft.columns.set_index("column").loc["Student ID", "role"]
    'id'
    """
    t = raw.table
    n = len(t)
    ident = identifying_columns(t, fmt=raw.format)
    ident = dict(zip(ident["column"], ident["reason"]))
    roles: dict[str, tuple[str, str]] = {}
    items: list[tuple[str, tuple]] = []
    id_col = None
    for col in t.columns:
        s = t[col]
        label = raw.question_text.get(col) or str(col)  # Qualtrics: judge the question, not Q1_1
        meta = platform_metadata_reason(col, raw.format)
        k = " ".join(str(col).lower().split())
        if meta and k in {"name", "recipientfirstname", "recipientlastname", "recipient first name", "recipient last name"}:
            roles[col] = ("name", meta)
            continue
        if meta:
            roles[col] = ("metadata", meta)
            continue
        if id_col is None and _ID_HEADER.search(label):
            id_col = col
            roles[col] = ("id", "header names a student ID")
            continue
        scale = _observed(s)
        # A header like "Grade" with answers 9-12 is a group, not a 0-10 item; but a statement
        # answered on a labelled scale is an item whatever its words ("I like group work").
        if scale is not None and (not _group_header(label) or (scale[0] == "labels" and len(scale[1]) >= 3)):
            roles[col] = ("item", "Likert-like answers")
            items.append((col, scale))
            continue
        if _NAME_HEADER.search(label) and "values look like names" in ident.get(col, "values look like names"):
            roles[col] = ("name", "header says name")
            continue
        filled = s[s.str.strip() != ""]
        n_unique = filled.nunique()
        spaced = filled.str.contains(" ", regex=False).mean() if len(filled) else 0.0
        mean_len = filled.str.len().mean() if len(filled) else 0.0
        if col in ident and not _group_header(label):
            roles[col] = ("identifying", ident[col])
        elif _group_header(label) and n_unique <= max(50, 0.2 * n):
            roles[col] = ("group", "header names a group")
        elif spaced >= 0.5 and mean_len >= 12:
            roles[col] = ("voice", "free text")
        elif 1 <= n_unique <= 12 and n_unique <= 0.2 * max(n, 1) and mean_len < 30:
            roles[col] = ("group?", f"{n_unique} distinct values")
        elif len(filled) and (mean_len >= 8 or n_unique > 0.5 * len(filled)):
            roles[col] = ("voice", "free text")
        else:
            roles[col] = ("unused", "not recognised")
    if not items:
        raise user_error(
            "no column looks like a Likert item (every answer a label of a known scale, or a small whole number)",
            file=raw.path,
            fix="write the codebook by hand (see docs/codebook.md), or check that this is the survey export",
        )

    chosen = _choose_scales(dict(items))
    items = [(col, chosen[col]) for col, _ in items]
    # the response scale most items use; others get their own scale
    common = Counter(sc for _, sc in items).most_common(1)[0][0]

    # constructs: one per grid stem / Qualtrics matrix, else one TODO construct
    groups: dict[str, list[str]] = {}
    for col, _ in items:
        m = _GRID.match(col) or _QUALTRICS_MATRIX.match(col)
        stem = m.group(1) if m else None
        groups.setdefault(stem, []).append(col)
    singles = [c for stem, cols in groups.items() for c in cols if stem is None or len(cols) < 2]
    grouped = {stem: cols for stem, cols in groups.items() if stem is not None and len(cols) >= 2}

    numeric = pd.DataFrame({col: _as_numbers(t[col], sc) for col, sc in items})
    clusters = _cluster_items(numeric, singles)
    hint = _reverse_hints(numeric, grouped, clusters)

    used_keys: set = set()
    used_items: set = set()

    def note(col) -> str:
        text = raw.question_text.get(col)
        return f"  # {' '.join(text.split())[:80]}" if text and text != col else ""  # one line, always

    tags = library_tags()
    lines = [
        f"# Codebook drafted by `toolkit codebook init` from {raw.path.name} ({raw.format}).",
        "# Guide to every key, with examples: docs/codebook.md",
        "# Decide each marked line below and delete its mark; every command refuses this file",
        "# while a mark is left. Then: toolkit deidentify EXPORT --codebook THIS_FILE --out work/clean",
        f"title: {_q(title or raw.path.stem.replace('_', ' '))}  # TODO: a short title",
    ]
    lines += _scale_lines(common, "response_scale", "")
    if id_col is not None:
        lines.append(f"id_column: {_q(id_col)}{note(id_col)}")
    else:
        lines.append("# TODO: no student ID column found. Without id_column, pseudonyms come from row numbers and waves do not link.")
    names = [c for c, (r, _) in roles.items() if r == "name"]
    lines.append("name_columns: [" + ", ".join(_q(c) for c in names) + "]")
    grp = [c for c, (r, _) in roles.items() if r == "group"]
    maybe = [c for c, (r, _) in roles.items() if r == "group?"]
    lines.append("group_columns:" + ("" if grp or maybe else " []"))
    lines += [f"  - {_q(c)}{note(c)}" for c in grp]
    lines += [f"  # - {_q(c)}  # TODO: a group column? ({roles[c][1]})" for c in maybe]
    voice = [c for c, (r, _) in roles.items() if r == "voice"]
    lines.append("voice_columns:" + ("" if voice else " {}"))
    vkeys: set = set()
    lines += [f"  {_unique_key(_slug(raw.question_text.get(c) or c), vkeys)}: {_q(c)}{note(c)}" for c in voice]
    left_out = [(c, why) for c, (r, why) in roles.items() if r in ("metadata", "identifying", "unused")]
    if left_out:
        lines.append("# Left out (deidentify drops every column the codebook does not name):")
        lines += [f"#   {_q(c)}: {why}" for c, why in left_out]
    lines += [
        "constructs:",
        "  # A construct is a scale: its items are averaged into one score. The items below are grouped",
        "  # by the answers: items that students answer alike (a high correlation, either sign) are",
        "  # proposed as one construct (average-linkage clustering of the item correlations, cut where",
        "  # items correlate below |r| = 0.4 on average). Move items between constructs where the",
        "  # wording says otherwise, and rename the keys.",
        "  # Reverse keying: mark an item as {column: \"...\", reverse: true} when agreeing with it means",
        "  # LESS of the construct; hints come from each item's correlation with the rest of its construct.",
        "  # tag links a construct to the strategy library; its tags: " + ", ".join(tags) + ".",
        "  # higher_is_better: false where a high score is a need (anxiety, worry, stress).",
    ]
    if clusters and n < 40:
        lines.append(f"  # TODO: only {n} students answered, too few for the answers to group the items reliably:"
                     " check every construct against the items' wording.")
    scale_of = dict(items)
    blocks = [(stem, cols) for stem, cols in grouped.items()]
    blocks += [(None, cols) for cols in clusters]
    wording = [[stem or ""] + [raw.question_text.get(c) or str(c) for c in cols] for stem, cols in blocks]
    guesses = _guess_tags(wording, list(tags))
    for n_block, (stem, cols) in enumerate(blocks, start=1):
        words = " ".join(wording[n_block - 1])
        need = bool(NEED_WORDS.search(words))
        guess = guesses[n_block - 1]
        ckey = _unique_key(_slug(stem) if stem else (guess or f"construct_{n_block}"), used_keys)
        if stem:
            label = raw.question_text[cols[0]].split(" - ")[0][:80] if raw.question_text.get(cols[0]) else stem
        else:
            label = ckey.replace("_", " ").capitalize()
        tag_line = f"    tag: {guess}  # TODO: the strategy-library tag this construct is about" if guess else (
            f"    tag: {ckey}  # TODO: one of the library's tags listed above (or add the tag to your own library)")
        better_line = (
            "    higher_is_better: false  # TODO: drafted false because the wording speaks of worry, stress or fear: a high score is a need"
            if need else "    higher_is_better: true  # TODO: false if a high score is a need (anxiety, worry, stress)"
        )
        if stem:
            why = [f"  # proposed from the grid question {_q(stem)}"]
        elif len(cols) == 1:
            why = ["  # one item answered unlike all the others: a one-item construct, or move it into another"]
        else:
            why = [f"  # proposed from the {len(cols)} items answered alike"]
        if len(cols) == 2:
            r2 = numeric[cols[0]].corr(numeric[cols[1]])
            if pd.notna(r2) and r2 < -0.1:
                why.append(f"  # TODO: the two items run against each other (r = {r2:.2f}): one of them is reverse keyed")
        lines += why + [
            f"  {ckey}:",
            f"    label: {_q(label)}  # TODO: the name students and leaders read",
            tag_line,
            better_line,
            "    items:",
        ]
        for k, col in enumerate(cols, start=1):
            iid = _unique_key(f"{ckey[:20]}_{k}", used_items)
            sc = scale_of[col]
            text = raw.question_text.get(col)
            parts = [f"column: {_q(col)}"]
            if text and text != col:
                parts.append(f"text: {_q(text)}")
            comment = f"  # TODO: reverse keyed? {hint[col]}" if col in hint else ""
            if sc != common:
                lines.append(f"      {iid}:{comment}")
                lines.append(f"        column: {_q(col)}")
                if text and text != col:
                    lines.append(f"        text: {_q(text)}")
                lines += _scale_lines(sc, "scale", "        ")
            elif len(parts) == 1:
                lines.append(f"      {iid}: {_q(col)}{comment}")
            else:
                lines.append(f"      {iid}: {{{', '.join(parts)}}}{comment}")
    yaml_text = "\n".join(lines) + "\n"
    parse_codebook(yaml_text, source=f"<draft of {raw.path.name}>")  # the draft must load as it is
    columns = pd.DataFrame(
        [(c, r, d) for c, (r, d) in roles.items()], columns=["column", "role", "detail"], dtype=object
    )
    return CodebookDraft(yaml=yaml_text, columns=columns)


def _scale_lines(scale, key: str, indent: str) -> list[str]:
    name, spec = scale
    if name == "numeric":
        lo, hi = spec
        return [f"{indent}{key}: {{min: {lo}, max: {hi}}}  # answers are numbers; TODO: add labels if useful"]
    return [
        f"{indent}{key}:  # {name}",
        f"{indent}  min: 1",
        f"{indent}  max: {len(spec)}",
        f"{indent}  labels: [" + ", ".join(_q(x) for x in spec) + "]",
    ]


def _as_numbers(s: pd.Series, scale) -> np.ndarray:
    name, spec = scale
    if name == "numeric":
        return pd.to_numeric(s.str.strip(), errors="coerce").to_numpy(dtype=float)
    pos = {_label_key(lab): k + 1 for k, lab in enumerate(spec)}
    return s.map(lambda v: pos.get(_label_key(v), np.nan) if isinstance(v, str) else np.nan).to_numpy(dtype=float)


#: Key words of each strategy-library tag, for guessing a construct's tag from its wording.
_TAG_WORDS = {
    "test_anxiety": r"anxi|worr|nerv|stress|fear|panic|afraid|scared|tense|calm|relax|mind goes blank",
    "belonging": r"belong|fit in|accept|part of|welcome|respect|left out|outsider|included|cares? about me|be myself",
    "growth_mindset": r"intelligen|smart|talent|brain|grow|born with|can.t change|fixed|get better|natural",
    "self_efficacy": r"confiden|capable|good at|sure i can|i can understand|doubt i can|master",
    "interest": r"interest|enjoy|boring|fun\b|look forward|useful|curious",
    "help_seeking": r"\bask|help\b|stuck",
    "collaboration": r"group|together|classmates|team|partner|alone|other students",
    "effort_regulation": r"give up|keep going|keep working|keep trying|effort|persist|finish my|last minute|put off|distract",
    "metacognition": r"plan my|check my|review|strateg|understand what",
    "time_management": r"deadline|on time|schedule",
    "reading": r"\bread",
}


def _guess_tags(wording: list[list[str]], tags: list[str]) -> list[str | None]:
    """One library tag per construct, guessed from its wording, each tag given at most once.

    A construct's score for a tag is the number of its texts (stem and items) that hold one of the
    tag's key words. Tags go to constructs greedily, strongest match first; a construct whose best
    remaining match is tied, or absent, gets no guess (the draft then asks for the tag). Two
    constructs never get the same tag: a second "interest" is a guess gone wrong, not a finding.
    """
    patterns = {t: re.compile(p, re.I) for t, p in _TAG_WORDS.items() if t in tags}
    score = [{t: sum(bool(p.search(text)) for text in texts if text) for t, p in patterns.items()} for texts in wording]
    out: list[str | None] = [None] * len(wording)
    free = set(patterns)
    pending = set(range(len(wording)))
    while pending and free:
        best = [(score[i][t], i, t) for i in pending for t in free if score[i][t] > 0]
        if not best:
            break
        top = max(s for s, _, _ in best)
        i = min(i for s, i, _ in best if s == top)
        tied = [t for s, j, t in best if j == i and s == top]
        pending.discard(i)
        if len(tied) == 1:
            out[i] = tied[0]
            free.discard(tied[0])
    return out


def _cluster_items(numeric: pd.DataFrame, cols: list[str], threshold: float = 0.4) -> list[list[str]]:
    """Group items that students answer alike: one proposed construct per cluster.

    Average-linkage hierarchical clustering (scipy) of the distance ``1 - |r|`` between items'
    pairwise Spearman correlations, cut at ``1 - threshold``: items in one cluster correlate at
    |r| >= ``threshold`` on average, whatever their sign (a reverse-keyed item belongs with the
    items it runs against). Clusters keep the export's column order.
    """
    if len(cols) < 3:
        return [list(cols)] if cols else []
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    r = numeric[cols].corr(method="spearman", min_periods=5).abs().fillna(0.0).to_numpy(copy=True)
    np.fill_diagonal(r, 1.0)
    dist = squareform(np.clip(1.0 - r, 0.0, None), checks=False)
    labels = fcluster(linkage(dist, method="average"), t=1.0 - threshold, criterion="distance")
    order: dict[int, list[str]] = {}
    for col, lab in zip(cols, labels):
        order.setdefault(int(lab), []).append(col)
    return list(order.values())


def _reverse_hints(numeric: pd.DataFrame, grouped: dict, clusters: list) -> dict:
    """Items whose answers run against the rest of their proposed construct (negative item-rest
    correlation), computed within each construct, never across the whole survey."""
    hints = {}
    blocks = list(grouped.values()) + list(clusters)
    for cols in blocks:
        if len(cols) < 3:
            continue
        block = numeric[cols]
        z = (block - block.mean()) / block.std(ddof=0).replace(0, np.nan)
        # the construct's direction is that of its majority: flip z-scores of items that run
        # against the first principal direction before averaging the rest
        corr = block.corr().fillna(0.0).to_numpy()
        sign = np.sign(np.linalg.eigh(corr)[1][:, -1])
        if (sign < 0).sum() > (sign > 0).sum():
            sign = -sign
        sign[sign == 0] = 1.0
        z = z * sign
        for col in cols:
            rest = z.drop(columns=col).mean(axis=1)
            r = block[col].corr(rest)
            if pd.notna(r) and r < -0.1:
                hints[col] = f"(answers run against the other items, r = {r:.2f})"
    return hints
