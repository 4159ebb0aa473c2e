"""Free-text scrubbing: e-mail addresses, handles, URLs, IPs, IDs, street addresses, phones, names."""

from __future__ import annotations

import re
import unicodedata
from typing import Iterable

import numpy as np
import pandas as pd
import phonenumbers


__all__ = ["scrub_text", "scrub_id_shapes"]

#: Something shaped like a student number: letters then 4 or more digits ("FAKE-10001", "S104823"),
#: or 5 or more digits on their own. Used where the toolkit cannot know the students' real IDs
#: (text read back after de-identification: goals, the co-writing sheets' answers).
_ID_SHAPE = re.compile(r"\b[A-Za-z]{1,8}[-_]?\d{4,}\b|(?<![\d.,])\d{5,}(?![\d.,])")


def scrub_id_shapes(texts) -> pd.Series:
    """Replace anything shaped like a student number by ``[ID]``.

    Text that comes back after de-identification (a goal, an answer on a co-writing sheet) is
    scrubbed with :func:`scrub_text`, but the students' real IDs are not known there (the plans
    hold pseudonyms only), so an ID a student typed would pass. This catches the usual shapes
    (letters then 4 or more digits, or 5 or more digits), at the cost of also hiding a long number
    that is not an ID.

    Examples
    --------
    >>> scrub_id_shapes(pd.Series(["my id is FAKE-10001", "S104823 here", "read 20 pages", "call 20231"])).tolist()
    ['my id is [ID]', '[ID] here', 'read 20 pages', 'call [ID]']
    """
    s = texts if isinstance(texts, pd.Series) else pd.Series(list(texts), dtype=object)
    return s.map(lambda t: _ID_SHAPE.sub("[ID]", t) if isinstance(t, str) else t)



# --------------------------------------------------------------------------------------------
# student IDs, normalised as the pseudonyms are (see toolkit.privacy.keys)

_NUMERIC_ID = re.compile(r"\d+(?:\.0+)?")


def _normalise_id(x) -> str:
    if not isinstance(x, str):
        return ""
    if not x.isascii():
        x = unicodedata.normalize("NFKC", x)
    x = "".join(x.casefold().split())
    if _NUMERIC_ID.fullmatch(x):
        # a spreadsheet that re-saved the export drops leading zeros (00123 -> 123) or adds a
        # decimal (123.0): all of them are one student, so waves still link
        x = x.split(".")[0].lstrip("0") or "0"
    return x


# --------------------------------------------------------------------------------------------
# free-text scrubbing

# every repetition below is bounded (RFC 5321 lengths): an unbounded one is quadratic on a long
# answer without an "@" (100,000 dots took minutes)
_EMAIL = re.compile(r"(?<![\w.+%-])[\w.+%-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}", re.UNICODE)
_AT = r"\s{0,3}(?:\(at\)|\[at\]| at |@)\s{0,3}"
# a written "." takes no spaces around it ("at home. Then" is a sentence, not an address)
_DOT = r"(?:\s{0,3}(?:\(dot\)|\[dot\])\s{0,3}| dot |\.)"
_DOMAIN_SPOKEN = rf"[\w-]{{1,63}}(?:{_DOT}[\w-]{{1,63}}){{0,3}}{_DOT}[a-z]{{2,10}}\b"
# "quinta dot vexley at vexmail dot org": the local part may be spelled out with "dot" too
_EMAIL_AT = re.compile(
    rf"(?<![\w.+-])(?:[\w+-]{{1,64}}(?: dot |\(dot\)|\[dot\])){{0,3}}[\w.+-]{{1,64}}{_AT}{_DOMAIN_SPOKEN}",
    re.IGNORECASE,
)
# "me at quinta dot vexley at vexmail dot org" first matches "me at quinta dot vexley": the rest
# of the address after the tag is part of it
_EMAIL_TAIL = re.compile(rf"\[EMAIL\]{_AT}{_DOMAIN_SPOKEN}", re.IGNORECASE)
# with an "@" the dots may be spaced too ("ana @ gmail . com")
_EMAIL_SPACED = re.compile(
    r"(?<![\w.+-])[\w.+-]{1,64}\s{0,3}@\s{0,3}[\w-]{1,63}(?:\s{0,3}\.\s{0,3}[\w-]{1,63}){0,3}\s{0,3}\.\s{0,3}[a-z]{2,10}\b",
    re.IGNORECASE,
)
_HANDLE = re.compile(r"(?<![\w@.])@[A-Za-z0-9_][A-Za-z0-9_.]{1,29}\b")
_URL = re.compile(
    r"\b(?:https?://|www\.)[^\s<>\"]{1,2000}"
    r"|\b(?:[a-z0-9-]{1,63}\.){1,8}(?:com|org|net|edu|gov|io|co|uk|ca|au|de|fr|nl|info|me|ly|gl|app|us|school|k12)\b(?:/[^\s<>\"]*)?",
    re.IGNORECASE,
)
_IP = re.compile(
    r"(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?![\w.]\d)"
    r"|\b(?:[0-9a-f]{1,4}:){2,7}(?::|[0-9a-f]{1,4})\b",
    re.IGNORECASE,
)
_STREET = (
    r"street|st|avenue|ave|road|rd|boulevard|blvd|lane|ln|drive|dr|court|ct|way|place|pl|terrace|ter|"
    r"circle|cir|parkway|pkwy|highway|hwy|square|sq|crescent|cres|close|grove|gardens|strasse|straße|weg|gasse"
)
_ADDRESS = re.compile(
    rf"\b\d{{1,5}}[a-z]?\s+(?:[\w.'’-]+\s+){{0,4}}(?:{_STREET})\b\.?(?:,?\s*(?:apt|apartment|unit|suite|#)\.?\s*\w+)?"
    r"|\bP\.?\s?O\.?\s+Box\s+\d+",
    re.IGNORECASE,
)
# French and German street addresses, French postcodes with a town, UK postcodes. Every
# quantifier is bounded or separated by a required literal, so each pattern runs in linear time.
_ADDRESS_FR = re.compile(
    r"\b\d{1,4}\s?(?:bis|ter)?,?\s+(?:rue|avenue|av\.|boulevard|bd|all[ée]e|impasse|chemin|place|quai|route|cours|passage|square)"
    r"(?:\s+[\w'’.-]{1,40}){1,5}"
    r"|\b\d{5}\s+[A-ZÀ-Þ][\w'’-]{1,40}(?:[ -][A-ZÀ-Þ][\w'’-]{1,40}){0,3}",
    re.IGNORECASE,
)
_ADDRESS_DE = re.compile(
    r"\b[\w'’-]{0,40}(?:stra(?:ß|ss)e|str\.|weg|gasse|allee|platz|ring|damm|ufer)\s?\d{1,4}(?:\s?[a-z]\b)?",
    re.IGNORECASE,
)
_POSTCODE_UK = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s?\d[A-Z]{2}\b", re.IGNORECASE)
_MONTHS = (
    r"jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?"
    r"|nov(?:ember)?|dec(?:ember)?|janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[uû]t|septembre|octobre"
    r"|novembre|d[ée]cembre|januar|februar|m[äa]rz|juni|juli|oktober|dezember"
)
# a full date (day, month and year): a birth date is an identifier in a student's text
_FULL_DATE = re.compile(
    r"(?<![\w.])(?:\d{1,2}[./-]\d{1,2}[./-](?:19|20)?\d\d|(?:19|20)\d\d[./-]\d{1,2}[./-]\d{1,2})(?![\w]|\.\d)"
    rf"|\b\d{{1,2}}(?:st|nd|rd|th|er)?\.?\s+(?:of\s+)?(?:{_MONTHS})\.?,?\s+(?:19|20)\d\d\b"
    rf"|\b(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?:19|20)\d\d\b",
    re.IGNORECASE,
)
# runs of letters and digits with at most three separators between them: where a student ID
# typed without its hyphen or spaced out ("S 0 0 4 2") is looked for
_ID_RUN = re.compile(r"[^\W_](?:[\s._/-]{0,3}[^\W_])*")
# letters that do not decompose under NFKD but are folded by people typing without accents
_FOLD = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ß": "ss", "æ": "ae", "œ": "oe", "ı": "i", "þ": "th", "ð": "d"})


def _fold(s: str) -> str:
    """Case-fold and strip accents: "José Núñez", its decomposed form and "jose nunez" agree."""
    s = unicodedata.normalize("NFKD", s.casefold())
    return "".join(ch for ch in s if not unicodedata.combining(ch)).translate(_FOLD)


def _id_key(x: str) -> str:
    """An ID with every separator removed, case-folded; leading zeros dropped from a number."""
    k = "".join(ch for ch in _fold(x) if ch.isalnum())
    if k.isdigit():
        k = k.lstrip("0") or "0"
    return k


_PHONE = re.compile(r"(?<![\w+])(?:\+\d{1,3}[\s.-]?)?(?:\(\d{1,4}\)[\s.-]?)?\d{2,5}(?:[\s.-]?\d{2,5}){1,4}(?!\w)")
_DATE = re.compile(r"^(?:\d{4}[-.]\d{1,2}[-.]\d{1,2}|\d{1,2}[-.]\d{1,2}[-.]\d{2,4}|(?:19|20)\d\d\s?[-.]\s?(?:19|20)\d\d)$")
_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
_TOKEN = re.compile(r"[\w-]+")
_UP = "A-ZÀ-ÖØ-Þ"
_LOW = "a-zß-öø-ÿ"
_PAIR = re.compile(rf"\b([{_UP}][{_LOW}]+(?:['’-][{_UP}]?[{_LOW}]+)?)\s+([{_UP}][{_LOW}]+(?:['’-][{_UP}]?[{_LOW}]+)?)\b")
_TITLE = re.compile(rf"\b(Mr|Mrs|Ms|Miss|Mx|Dr|Prof)\.?\s+[{_UP}][{_LOW}'’-]+")
_MULTI_NAME = re.compile(r"\[NAME\](?:\s+\[NAME\])+")
# Capitalised words that start sentences or name things other than people; a pair containing one
# of them is not taken for a first and last name by the heuristic.
_NOT_NAMES = frozenset(
    """
    i a an the when what why how who where which if my our your their his her its we they he she it
    in on at for and but or so to also then this that these those maybe please thanks thank yes no
    not because after before while during with without about from by of as just really very more
    most some any every each all one two three first next last new old good great best
    monday tuesday wednesday thursday friday saturday sunday january february march april may june
    july august september october november december english math maths mathematics science history
    geography spanish french german chinese latin biology chemistry physics art music drama pe
    computer computing economics literature algebra geometry calculus statistics class school club
    team group teacher teachers homework test tests quiz unit chapter lesson google microsoft
    youtube khan academy quizlet kahoot zoom teams word excel powerpoint ap ib gcse sat act
    """.split()
)
_NOT_NAME_TOKENS = frozenset({"anonymous", "unknown", "none", "na", "n/a", "student", "test"})
# Given names that are also everyday English words: scrubbed only when capitalised, so that
# "I will study more" survives a classmate called Will while "ask Will" does not.
_COMMON_WORDS = frozenset(
    """
    will may an art mark grace hope joy rose sky summer june april august bill faith chase hunter
    king max ray dawn sunny amber ivy jade pearl ruby autumn river reed lane bay brook dale drew
    guy jack kit pat rob sue don dean frank earl miles penny rich skip win young long ash cole
    hall page rush story gray grey green white brown black price bell love may star storm
    """.split()
)


def _is_name(token: str, names: frozenset) -> bool:
    k = _fold(token)
    return k in names and (k not in _COMMON_WORDS or token[:1].isupper())


def _phone_sub(m: re.Match) -> str:
    s = m.group(0)
    digits = sum(ch.isdigit() for ch in s)
    if digits < 7 or digits > 15 or _DATE.match(s.strip()):
        return s
    return "[PHONE]"


def _date_sub(m: re.Match) -> str:
    """A full date is scrubbed when its year could be a student's birth year (1990-2019).

    Dates of this school year ("the test on 2026-09-14") stay: they say nothing about the student.
    """
    s = m.group(0)
    years = re.findall(r"(?:19|20)\d\d", s)
    if years:
        year = int(years[-1] if not re.match(r"(?:19|20)\d\d[./-]", s) else years[0])
    else:
        year = 2000 + int(re.findall(r"\d\d", s)[-1])
    return "[DATE]" if 1990 <= year <= 2019 else s


def _phones_lib(text: str) -> str:
    """Replace the phone numbers the ``phonenumbers`` library finds (any country, "+33 6 12 34 56 78")."""
    if sum(ch.isdigit() for ch in text) < 7:
        return text
    out, last = [], 0
    for match in phonenumbers.PhoneNumberMatcher(text, "US", leniency=phonenumbers.Leniency.POSSIBLE, max_tries=1000):
        if _FULL_DATE.fullmatch(match.raw_string.strip()):
            continue
        out += [text[last:match.start], "[PHONE]"]
        last = match.end
    return "".join(out) + text[last:] if out else text


def _ids_spaced(text: str, keys: frozenset, lengths: tuple) -> str:
    """Replace IDs typed without separators, with other separators or spaced out."""

    def sub(m: re.Match) -> str:
        s = m.group(0)
        pos = [i for i, ch in enumerate(s) if ch.isalnum()]
        folded = [_fold(s[i]) for i in pos]
        n = len(pos)
        spans, i = [], 0
        while i < n:
            hit = 0
            if i == 0 or pos[i] - pos[i - 1] > 1:
                for L in lengths:
                    j = i + L
                    if j <= n and (j == n or pos[j] - pos[j - 1] > 1):
                        w = "".join(folded[i:j])
                        if w.isdigit():
                            w = w.lstrip("0") or "0"
                        if w in keys:
                            hit = L
                            break
            if hit:
                spans.append((pos[i], pos[i + hit - 1] + 1))
                i += hit
            else:
                i += 1
        if not spans:
            return s
        out, last = [], 0
        for a, b in spans:
            out += [s[last:a], "[ID]"]
            last = b
        return "".join(out) + s[last:]

    return _ID_RUN.sub(sub, text)


def _url_sub(m: re.Match) -> str:
    s = m.group(0)
    trail = len(s) - len(s.rstrip(".,;:!?)]'\""))
    return "[URL]" + (s[len(s) - trail:] if trail else "")


def _name_tokens(names: Iterable[str]) -> set[str]:
    """Full names and their first/last tokens, case-folded, without words that are not names."""
    # one regex pass over all names joined: a million names take a second, not a minute
    text = "\n".join(n for n in names if isinstance(n, str))
    words = set(_WORD.findall(unicodedata.normalize("NFC", text)))
    # "Mary-Jane" is also typed "mary jane": each part of a hyphenated name is a name too
    words |= {part for w in words for part in re.split(r"['’-]", w)}
    tokens = {_fold(t) for t in words}
    return {t for t in tokens if len(t) >= 2 and t not in _NOT_NAME_TOKENS}


def _id_tokens(ids: Iterable[str]) -> set[str]:
    """Normalised IDs of 3+ characters, and the digit runs of 5+ inside them."""
    norm = {_normalise_id(x) for x in ids}
    out = {t for t in norm if len(t) >= 3}
    out.update(re.findall(r"\d{5,}", "\n".join(out)))
    return out


def _scrub_one(text: str, names: frozenset, ids: frozenset, heuristic: bool, id_keys: frozenset = frozenset()) -> str:
    if not text:
        return text
    # decomposed Unicode (as Mac keyboards type "José") is composed first, so names match
    text = unicodedata.normalize("NFC", text)
    t = _EMAIL.sub("[EMAIL]", text)
    t = _EMAIL_AT.sub("[EMAIL]", t)
    t = _EMAIL_TAIL.sub("[EMAIL]", t)
    t = _EMAIL_SPACED.sub("[EMAIL]", t)
    t = _HANDLE.sub("[HANDLE]", t)
    t = _URL.sub(_url_sub, t)
    t = _IP.sub("[IP]", t)
    if ids:
        t = _TOKEN.sub(lambda m: "[ID]" if _normalise_id(m.group(0)) in ids else m.group(0), t)
    if id_keys:
        t = _ids_spaced(t, id_keys, tuple(sorted({len(k) for k in id_keys}, reverse=True)))
    t = _FULL_DATE.sub(_date_sub, t)
    t = _ADDRESS.sub("[ADDRESS]", t)
    t = _ADDRESS_FR.sub("[ADDRESS]", t)
    t = _ADDRESS_DE.sub("[ADDRESS]", t)
    t = _POSTCODE_UK.sub("[ADDRESS]", t)
    t = _phones_lib(t)
    t = _PHONE.sub(_phone_sub, t)
    if names:
        t = _WORD.sub(lambda m: "[NAME]" if _is_name(m.group(0), names) else m.group(0), t)
    t = _TITLE.sub(lambda m: m.group(1) + " [NAME]", t)
    if heuristic:
        t = _PAIR.sub(
            lambda m: m.group(0)
            if m.group(1).casefold() in _NOT_NAMES or m.group(2).casefold() in _NOT_NAMES
            else "[NAME]",
            t,
        )
    return _MULTI_NAME.sub("[NAME]", t)


def scrub_text(texts, *, names: Iterable[str] = (), ids: Iterable[str] = (), heuristic: bool = True) -> pd.Series:
    """Remove identifiers from free text.

    Replaces emails with ``[EMAIL]``, social-media handles (``@name_22``) with ``[HANDLE]``,
    URLs with ``[URL]``, IP addresses with ``[IP]``, known
    student IDs with ``[ID]``, street addresses with ``[ADDRESS]``, phone numbers (7 to 15 digits,
    local or international, e.g. ``555-0142``, ``(555) 555-0142``, ``+44 20 7946 0958``) with
    ``[PHONE]``, and names with ``[NAME]``: every name and first/last token in ``names``
    (case-insensitive, whole words; a name that is also an everyday word such as Will, May or
    Grace only when capitalised), a title and surname (``Mr Smith``), and, with
    ``heuristic=True``, any pair of capitalised words that are not common sentence words
    (``Avery Blake``).

    Parameters
    ----------
    texts : Series or iterable of str
        The free text; missing values stay missing.
    names : iterable of str, default=()
        Names to remove: the export's name columns, a class roster.
    ids : iterable of str, default=()
        Student IDs to remove (matched ignoring case and spaces; digit runs of 5 or more inside an
        ID are removed too).
    heuristic : bool, default=True
        Also remove capitalised word pairs that look like a first and last name. It removes some
        harmless phrases ("Spanish Club" survives, "Room Nine" does not): the toolkit prefers
        removing too much to leaking a name.

    Returns
    -------
    Series of str
        Same index as ``texts``.

    Notes
    -----
    Regular expressions are hand-written because the well-kept scrubbers (Microsoft Presidio,
    scrubadub) need large language models or services a school laptop may not have; these
    patterns cover what student answers actually carry, and each is tested. Texts are scrubbed
    once per distinct value, so repeated answers cost nothing.

    Examples
    --------
    >>> scrub_text(["Email me at ana.b@example.org or call 555-0142, I sit with Avery Blake"]).iloc[0]
    'Email me at [EMAIL] or call [PHONE], I sit with [NAME]'
    """
    s = texts if isinstance(texts, pd.Series) else pd.Series(list(texts), dtype=object)
    return _scrub_series(s, frozenset(_name_tokens(names)), frozenset(_id_tokens(ids)), heuristic)[0]


def _scrub_series(s: pd.Series, name_set: frozenset, id_set: frozenset, heuristic: bool = True):
    """Scrub each distinct text once; also count the tags added, weighted by repetition."""
    codes, uniques = pd.factorize(s, sort=False)
    id_keys = frozenset(k for k in (_id_key(x) for x in id_set) if len(k) >= 3)
    cleaned = np.array([_scrub_one(str(u), name_set, id_set, heuristic, id_keys) for u in uniques], dtype=object)
    out = np.where(codes >= 0, cleaned[np.maximum(codes, 0)] if len(cleaned) else None, None)
    result = pd.Series(out, index=s.index, dtype=object)
    if s.isna().any():
        result = result.where(s.notna(), np.nan)
    freq = np.bincount(codes[codes >= 0], minlength=len(uniques))
    counts = dict.fromkeys(_TAGS, 0)
    for u, c, f in zip(uniques, cleaned, freq):
        if c != u:
            for tag in _TAGS:
                counts[tag] += (c.count(tag) - str(u).count(tag)) * int(f)
    return result, counts


_TAGS = ("[EMAIL]", "[HANDLE]", "[URL]", "[IP]", "[ID]", "[ADDRESS]", "[PHONE]", "[DATE]", "[NAME]")


