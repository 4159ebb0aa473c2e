"""De-identify a survey export: keyed pseudonyms, scrubbed free text, and a ledger of every row.

This is the gate between a raw export and everything else. :func:`deidentify` keeps only what the
codebook names (group columns, item answers, the student-voice free text), replaces the student ID
with a keyed pseudonym, removes identifiers from the free text, and accounts for every row read in
a ledger: kept, or excluded with a reason. A disclosure report says what was removed and why, and
how small the smallest group is.

Pseudonyms
----------
A pseudonym is ``"P-"`` followed by the first 12 hexadecimal digits of
HMAC-SHA256(key, normalised student ID); the ID is normalised by Unicode NFKC, case folding and
removing spaces, so ``" fake-10001"`` and ``"FAKE-10001"`` are one student; an all-digit ID also
loses leading zeros and a ``.0`` that a spreadsheet may have added (``00123``, ``123.0``, ``123``). The key is 32 random
bytes kept in a file outside the project (:func:`load_or_create_key`). The same key gives the same
pseudonym in every wave, so waves link; another key gives unrelated pseudonyms; without the key
nobody can recompute them, which is why a plain unkeyed hash is not used (a school's ID space is
small enough to hash every possible ID). 12 hex digits are 48 bits: among ``n`` students the
chance that two share a pseudonym is about ``n**2 / 2**49`` (1 in 560 million for 1,000 students,
1 in 560 for 1,000,000); a collision is detected and reported, never silent.

When the codebook has no ``id_column``, the pseudonym is computed from the key, the export file's
hash and the row number: stable for the same file, but unlinkable across waves.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
import stat
import unicodedata
from dataclasses import dataclass, field
from os import PathLike
from pathlib import Path
from typing import Iterable

import numpy as np
import pandas as pd

from .codebook import Codebook
from .config import KEY_FILE_ENV, MIN_CELL, default_key_file
from .errors import user_error
from .io import RawExport, _match_codebook, item_answers, platform_metadata_reason

__all__ = [
    "Deidentified",
    "Disclosure",
    "deidentify",
    "load_or_create_key",
    "pseudonymize",
    "scrub_text",
    "identifying_columns",
    "KEY_BYTES",
    "PSEUDONYM_HEX",
]

#: Size of the pseudonym key in bytes.
KEY_BYTES = 32
#: Hexadecimal digits of the HMAC kept in a pseudonym (48 bits).
PSEUDONYM_HEX = 12
_PREFIX = "P-"


# --------------------------------------------------------------------------------------------
# the key


def load_or_create_key(path: str | PathLike | None = None) -> bytes:
    """Read the pseudonym key, creating it on first use.

    Parameters
    ----------
    path : path, optional
        The key file. Default: ``$TOOLKIT_KEY_FILE``, else a file under the user's config folder
        (:func:`toolkit.config.default_key_file`), outside the project.

    Returns
    -------
    bytes
        The 32-byte key. Never print it, log it or write it anywhere else.

    Raises
    ------
    ToolkitError
        The file is readable or writable by other users, is not a regular file, or is not
        exactly 32 bytes (a damaged or wrong file).

    Notes
    -----
    A new key is 32 bytes from :func:`secrets.token_bytes`, written to a file created with
    ``O_CREAT | O_EXCL`` and mode 0600 (its folder, when created, 0700), so no other user can
    read it even for a moment. Keep a backup of the key: without it the pseudonyms of a new wave
    cannot be linked to earlier ones.
    """
    path = Path(path).expanduser() if path is not None else default_key_file()
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it a moment ago: use theirs
            pass
        else:
            with os.fdopen(fd, "wb") as fh:
                fh.write(secrets.token_bytes(KEY_BYTES))
                fh.flush()
                os.fsync(fh.fileno())
    st = path.stat()
    if not stat.S_ISREG(st.st_mode):
        raise user_error("the pseudonym key path is not a regular file", file=path,
                         fix=f"point --key-file (or ${KEY_FILE_ENV}) at the key file")
    if os.name == "posix" and st.st_mode & 0o077:
        raise user_error(
            f"the pseudonym key file can be read or changed by other users (mode {stat.S_IMODE(st.st_mode):04o})",
            file=path, fix=f"make it private with: chmod 600 '{path}'",
        )
    if st.st_size != KEY_BYTES:
        raise user_error(
            f"the pseudonym key file has {st.st_size} bytes, not {KEY_BYTES}: it is damaged or not a toolkit key",
            file=path,
            fix="restore the key file from your backup (a new key would give new pseudonyms that do not link to earlier waves)",
        )
    return path.read_bytes()


def _check_key(key) -> bytes:
    if not isinstance(key, (bytes, bytearray)) or len(key) != KEY_BYTES:
        raise user_error(f"the pseudonym key must be {KEY_BYTES} bytes",
                         fix="load it with toolkit.load_or_create_key()")
    return bytes(key)


# --------------------------------------------------------------------------------------------
# pseudonyms


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


def _factorize_ids(ids: pd.Series) -> tuple[np.ndarray, list[str]]:
    """Codes into the distinct normalised IDs, and those IDs (``""`` for a missing one)."""
    codes, uniques = pd.factorize(ids, sort=False, use_na_sentinel=True)
    norm = [_normalise_id(u) for u in np.asarray(uniques, dtype=object)]
    # distinct raw spellings may normalise to the same ID: factorize again over the normalised
    codes2, norm_uniques = pd.factorize(pd.Series(norm + [""], dtype=object), sort=False)
    lookup = codes2.astype(np.int64)  # raw unique -> normalised unique; the last entry is "missing"
    return lookup[np.where(codes >= 0, codes, len(norm))], list(norm_uniques)


def _hmac_hex(values: list[str], key: bytes, salt: bytes = b"") -> np.ndarray:
    # One HMAC object with the key already absorbed, copied per ID: the standard library's
    # hmac.copy() skips re-keying, which makes a million IDs take about 4 s instead of 7 s.
    base = hmac.new(key, digestmod=hashlib.sha256)
    out = np.empty(len(values), dtype=object)
    for k, v in enumerate(values):
        if v:
            h = base.copy()
            h.update(salt + v.encode("utf-8"))
            out[k] = _PREFIX + h.hexdigest()[:PSEUDONYM_HEX]
        else:
            out[k] = ""
    return out


def _pseudonyms_from_codes(codes: np.ndarray, norm_uniques: list[str], key: bytes) -> np.ndarray:
    pseudo = _hmac_hex(norm_uniques, key)
    nonempty = pseudo[pseudo != ""]
    if len(set(nonempty)) != len(nonempty):
        raise user_error(
            f"two different student IDs gave the same {PSEUDONYM_HEX}-digit pseudonym (a rare collision)",
            fix="report this to the toolkit maintainers; the odds are in the privacy module's notes",
        )
    return pseudo[codes] if len(codes) else np.array([], dtype=object)


def pseudonymize(ids, key: bytes) -> pd.Series:
    """Keyed pseudonyms of student IDs.

    Parameters
    ----------
    ids : Series or iterable of str
        Student IDs as in the export. They are normalised (NFKC, case-folded, spaces removed)
        before hashing. Empty IDs give an empty pseudonym.
    key : bytes
        The 32-byte key from :func:`load_or_create_key`.

    Returns
    -------
    Series of str
        ``"P-"`` + 12 hex digits of HMAC-SHA256(key, normalised ID); same index as ``ids``.

    Raises
    ------
    ToolkitError
        Two different IDs would share a pseudonym (see the module notes for the odds).

    Examples
    --------
    >>> p = pseudonymize(["FAKE-10001", " fake-10001 "], bytes(32))
    >>> p[0] == p[1], len(p[0])
    (True, 14)
    """
    key = _check_key(key)
    s = ids if isinstance(ids, pd.Series) else pd.Series(list(ids), dtype=object)
    codes, norm_uniques = _factorize_ids(s)
    return pd.Series(_pseudonyms_from_codes(codes, norm_uniques, key), index=s.index, dtype=object)


def _row_pseudonyms(row_numbers: np.ndarray, file_sha256: str, key: bytes) -> pd.Series:
    return pd.Series(_hmac_hex([str(int(r)) for r in row_numbers], key, salt=f"row:{file_sha256}:".encode()), dtype=object)


# --------------------------------------------------------------------------------------------
# free-text scrubbing

_EMAIL = re.compile(r"[\w.+%-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_EMAIL_AT = re.compile(r"\b[\w.+-]+\s*(?:\(at\)|\[at\]| at )\s*[\w-]+\s*(?:\(dot\)|\[dot\]| dot )\s*[a-z]{2,}\b", re.IGNORECASE)
_HANDLE = re.compile(r"(?<![\w@.])@[A-Za-z0-9_][A-Za-z0-9_.]{1,29}\b")
_URL = re.compile(
    r"\b(?:https?://|www\.)[^\s<>\"]+"
    r"|\b(?:[a-z0-9-]+\.)+(?:com|org|net|edu|gov|io|co|uk|ca|au|de|fr|nl|info|me|ly|gl|app|us|school|k12)\b(?:/[^\s<>\"]*)?",
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
    k = token.casefold()
    return k in names and (k not in _COMMON_WORDS or token[:1].isupper())


def _phone_sub(m: re.Match) -> str:
    s = m.group(0)
    digits = sum(ch.isdigit() for ch in s)
    if digits < 7 or digits > 15 or _DATE.match(s.strip()):
        return s
    return "[PHONE]"


def _url_sub(m: re.Match) -> str:
    s = m.group(0)
    trail = len(s) - len(s.rstrip(".,;:!?)]'\""))
    return "[URL]" + (s[len(s) - trail:] if trail else "")


def _name_tokens(names: Iterable[str]) -> set[str]:
    """Full names and their first/last tokens, case-folded, without words that are not names."""
    # one regex pass over all names joined: a million names take a second, not a minute
    text = "\n".join(n for n in names if isinstance(n, str))
    tokens = {t.casefold() for t in set(_WORD.findall(text))}
    return {t for t in tokens if len(t) >= 2 and t not in _NOT_NAME_TOKENS}


def _id_tokens(ids: Iterable[str]) -> set[str]:
    """Normalised IDs of 3+ characters, and the digit runs of 5+ inside them."""
    norm = {_normalise_id(x) for x in ids}
    out = {t for t in norm if len(t) >= 3}
    out.update(re.findall(r"\d{5,}", "\n".join(out)))
    return out


def _scrub_one(text: str, names: frozenset, ids: frozenset, heuristic: bool) -> str:
    if not text:
        return text
    t = _EMAIL.sub("[EMAIL]", text)
    t = _EMAIL_AT.sub("[EMAIL]", t)
    t = _HANDLE.sub("[HANDLE]", t)
    t = _URL.sub(_url_sub, t)
    t = _IP.sub("[IP]", t)
    if ids:
        t = _TOKEN.sub(lambda m: "[ID]" if _normalise_id(m.group(0)) in ids else m.group(0), t)
    t = _ADDRESS.sub("[ADDRESS]", t)
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
    cleaned = np.array([_scrub_one(str(u), name_set, id_set, heuristic) for u in uniques], dtype=object)
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


_TAGS = ("[EMAIL]", "[HANDLE]", "[URL]", "[IP]", "[ID]", "[ADDRESS]", "[PHONE]", "[NAME]")


# --------------------------------------------------------------------------------------------
# identifying columns

_HEADER_HINTS = [
    (re.compile(r"e-?mail", re.I), "header says email"),
    (re.compile(r"\b(first|last|family|given|full|sur|user|your|student'?s?|pupil'?s?)\s*name\b|^name$|\bname of\b|\bnames?\b", re.I), "header says name"),
    (re.compile(r"phone|mobile|\bcell\b|telephone|\btel\b", re.I), "header says phone"),
    (re.compile(r"(?<!mail )(?<!mail)\baddress\b|street|post\s*code|postal|\bzip", re.I), "header says address"),
    (re.compile(r"\bip\b|ipaddress", re.I), "header says IP address"),
    (re.compile(r"latitude|longitude|\blat\b|\blon\b|\blng\b|location", re.I), "header says location"),
    (re.compile(r"birth|\bdob\b|\bborn\b|\bage\b", re.I), "header says birth date or age"),
    (re.compile(r"student\s*(id|number|no\b|#)|\bid\b|passport|\bssn\b|social security|national (id|insurance)", re.I), "header says ID"),
]
_V_EMAIL = re.compile(r"^[\w.+%-]+@[\w-]+(?:\.[\w-]+)+$")
_V_IP = re.compile(r"^(?:\d{1,3}\.){3}\d{1,3}$|^(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}$", re.I)
_V_COORD = re.compile(r"^[+-]?\d{1,3}\.\d{3,}$")
_V_DATE = re.compile(r"^(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})$")
_V_NAME = re.compile(rf"^[{_UP}][{_LOW}'’-]+(?: [{_UP}][{_LOW}'’-]+){{1,3}}$")
_V_PHONE = re.compile(r"^\+?[\d\s().-]{7,20}$")


def identifying_columns(table: pd.DataFrame, *, fmt: str | None = None, skip: Iterable[str] = (), sample: int = 2000) -> pd.DataFrame:
    """Columns that look identifying, by header or by values.

    Parameters
    ----------
    table : DataFrame
        ``RawExport.table``.
    fmt : str, optional
        The export's format (see :func:`toolkit.io.platform_metadata_reason`).
    skip : iterable of str
        Headers not to check (the codebook's item columns: closed answers, never identifying).
    sample : int, default=2000
        Value patterns are checked on the first ``sample`` non-empty values of each column
        (deterministic, and fast on a million rows); uniqueness on all of them.

    Returns
    -------
    DataFrame
        Columns ``column, reason``; one row per identifying column, in table order.
    """
    skip = set(skip)
    rows = []
    for col in table.columns:
        if col in skip:
            continue
        reasons = [why for rx, why in _HEADER_HINTS if rx.search(str(col))]
        if platform_metadata_reason(col, fmt) and not reasons:
            reasons.append("platform metadata")
        s = table[col]
        filled = s[s.str.strip() != ""] if len(s) <= 10 * sample else s.iloc[: 20 * sample][s.iloc[: 20 * sample].str.strip() != ""]
        vals = filled.iloc[:sample].str.strip()
        if len(vals):
            checks = [
                (_V_EMAIL, "values look like emails"),
                (_V_IP, "values look like IP addresses"),
                (_V_COORD, "values look like coordinates"),
                (_V_DATE, "values look like dates (birth dates?)"),
                (_ADDRESS, "values look like street addresses"),
                (_V_NAME, "values look like names"),
            ]
            for rx, why in checks:
                share = vals.map(lambda v, rx=rx: bool(rx.search(v) if rx is _ADDRESS else rx.match(v))).mean()
                if share >= 0.5 and (rx is not _V_NAME or vals.nunique() >= 0.5 * len(vals)):
                    reasons.append(why)
            phone_share = vals.map(lambda v: bool(_V_PHONE.match(v)) and 7 <= sum(c.isdigit() for c in v) <= 15).mean()
            if phone_share >= 0.5:
                reasons.append("values look like phone numbers")
            # uniqueness is judged on the same sample: an ID column is unique in any part of it
            if len(vals) >= 20:
                uniq = vals.nunique() / len(vals)
                no_space = (~vals.str.contains(" ", regex=False)).mean()
                if uniq >= 0.9 and no_space >= 0.9 and vals.str.len().max() <= 40:
                    reasons.append("almost every value is unique (an ID?)")
        if reasons:
            rows.append((col, "; ".join(dict.fromkeys(reasons))))
    return pd.DataFrame(rows, columns=["column", "reason"], dtype=object)


# --------------------------------------------------------------------------------------------
# the result


@dataclass(frozen=True)
class Disclosure:
    """What de-identification removed and why, and how small the smallest group is.

    Build it with :func:`deidentify`; read it with :meth:`to_markdown` or :meth:`to_dict`.
    """

    source: dict
    rows: dict
    exclusions: dict
    flags: dict
    dropped_columns: tuple
    identifying_columns: tuple
    kept_columns: dict
    pseudonyms: dict
    scrubbed: dict
    groups: dict

    def to_dict(self) -> dict:
        """Plain JSON-ready values, in a fixed order."""
        return {
            "source": dict(self.source),
            "rows": dict(self.rows),
            "exclusions": dict(self.exclusions),
            "flags": dict(self.flags),
            "dropped_columns": [{"column": c, "reason": r} for c, r in self.dropped_columns],
            "identifying_columns": [{"column": c, "reason": r, "action": a} for c, r, a in self.identifying_columns],
            "kept_columns": {k: list(v) for k, v in self.kept_columns.items()},
            "pseudonyms": dict(self.pseudonyms),
            "scrubbed": dict(self.scrubbed),
            "groups": json.loads(json.dumps(self.groups)),
        }

    def to_json(self) -> str:
        """The report as JSON text (byte-identical for the same inputs)."""
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"

    def to_markdown(self) -> str:
        """The report as Markdown, for the data steward."""
        src, rows, g = self.source, self.rows, self.groups
        out = [
            "# Disclosure report",
            "",
            f"Export `{src['file']}` ({src['format']}, {src['encoding']}), codebook `{src['codebook']}`.",
            "",
            "## Rows",
            f"- read: {rows['read']}",
            f"- kept: {rows['kept']}",
            f"- excluded: {rows['excluded']}",
        ]
        for reason, n in self.exclusions.items():
            out.append(f"  - {reason}: {n}")
        for flag, n in self.flags.items():
            out.append(f"- flagged (kept): {flag}: {n}")
        out += ["", "Every row is listed in `ledger.csv` with its row number in the file.", "", "## Columns removed"]
        out += [f"- `{c}`: {r}" for c, r in self.dropped_columns] or ["- none"]
        out += ["", "## Columns that look identifying"]
        out += [f"- `{c}`: {r} -> {a}" for c, r, a in self.identifying_columns] or ["- none found"]
        kc = self.kept_columns
        out += [
            "",
            "## Columns kept",
            f"- group columns: {', '.join(f'`{c}`' for c in kc['group']) or 'none'}",
            f"- items (as numbers): {len(kc['items'])}",
            f"- student voice (scrubbed): {', '.join(f'`{c}`' for c in kc['voice']) or 'none'}",
            "",
            "## Pseudonyms",
            f"- {self.pseudonyms['method']}",
            f"- {self.pseudonyms['linking']}",
            "",
            "## Free text scrubbed",
        ]
        out += [f"- {tag}: {n}" for tag, n in self.scrubbed.items()] or ["- nothing found"]
        out += ["", f"## Group sizes (minimum cell {g['min_cell']})"]
        if not g["columns"]:
            out.append("- no group columns")
        else:
            out.append(f"- smallest group over {' x '.join(f'`{c}`' for c in g['columns'])}: {g['smallest_group']} (k-anonymity k = {g['smallest_group']})")
            out.append(f"- combinations under {g['min_cell']}: {g['n_small_groups']} of {g['n_groups']}")
            for cell in g["small_groups"][:50]:
                label = ", ".join(f"{k} = {v}" for k, v in cell["group"].items())
                out.append(f"  - {label}: {cell['n']}")
            if len(g["small_groups"]) > 50:
                out.append(f"  - ... and {len(g['small_groups']) - 50} more")
            for col in g["columns"]:
                info = g["by_column"][col]
                verdict = "too fine to report" if info["too_fine"] else "fine to report"
                out.append(f"- `{col}`: {info['n_groups']} groups, smallest {info['smallest']}: {verdict}")
        return "\n".join(out) + "\n"


@dataclass(frozen=True, eq=False)  # holds DataFrames
class Deidentified:
    """De-identified responses with their ledger and disclosure report.

    Attributes
    ----------
    responses : DataFrame
        Index ``pseudonym``; group columns (their export headers); item ids as float columns
        (NaN when not answered); voice keys as scrubbed text. One row per kept response.
    ledger : DataFrame
        One row per data row read: ``row`` (row number in the file), ``pseudonym``, ``status``
        (``kept``/``excluded``), ``reason``, ``flags``. No identifying value.
    disclosure : Disclosure
    """

    responses: pd.DataFrame
    ledger: pd.DataFrame
    disclosure: Disclosure = field(repr=False)


# --------------------------------------------------------------------------------------------
# deidentify

_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}
# Qualtrics' Status ("Response Type") column, as choice text or its numeric code (0 IP Address
# and 16 Offline are real responses; 4 Imported is kept too). Codes as documented for the
# Qualtrics response export and the qualtRics R package.
_QUALTRICS_STATUS = {
    "survey preview": "Qualtrics survey preview",
    "1": "Qualtrics survey preview",
    "offline survey preview": "Qualtrics survey preview",
    "17": "Qualtrics survey preview",
    "survey test": "Qualtrics survey test",
    "2": "Qualtrics survey test",
    "spam": "Qualtrics spam",
    "8": "Qualtrics spam",
    "preview spam": "Qualtrics spam",
    "survey preview spam": "Qualtrics spam",
    "9": "Qualtrics spam",
    "imported spam": "Qualtrics spam",
    "12": "Qualtrics spam",
}
_QUALTRICS_CHANNEL = {"preview": "Qualtrics survey preview", "test": "Qualtrics survey test"}


def _find(table: pd.DataFrame, *names: str) -> str | None:
    keys = {" ".join(str(c).casefold().split()): c for c in table.columns}
    for n in names:
        if n in keys:
            return keys[n]
    return None


def deidentify(
    raw: RawExport,
    codebook: Codebook,
    *,
    key: bytes,
    min_answered: float = 0.5,
    min_cell: int = MIN_CELL,
    allow_identifying_groups: Iterable[str] = (),
    roster: Iterable[str] = (),
    exclude_straight_lining: bool = False,
) -> Deidentified:
    """Keep what the codebook names, pseudonymise, scrub, and account for every row.

    Parameters
    ----------
    raw : RawExport
        From :func:`toolkit.io.read_export`.
    codebook : Codebook
    key : bytes
        The 32-byte pseudonym key (:func:`load_or_create_key`).
    min_answered : float, default=0.5
        Smallest share of the codebook's items a response must answer to be kept.
    min_cell : int, default=10
        Groups smaller than this are listed in the disclosure report.
    allow_identifying_groups : iterable of str, default=()
        Group columns to keep even though they look identifying (by header or values).
    roster : iterable of str, default=()
        More names to scrub from the free text (a class list).
    exclude_straight_lining : bool, default=False
        Exclude responses with the same answer to every item (at least 4 answered) instead of
        only flagging them.

    Returns
    -------
    Deidentified

    Raises
    ------
    ToolkitError
        A codebook column is missing from the export, a group column looks identifying and is
        not allowed, an answer label is unknown, or every row is excluded.

    Notes
    -----
    Rows are excluded, in this order of precedence: empty rows; Qualtrics previews, tests and
    spam; unfinished Qualtrics responses; rows without a student ID (when the codebook has an
    ``id_column``); responses under ``min_answered``; earlier submissions of a student who sent
    the form again (the last remaining one is kept, so a later empty retry never replaces a
    complete response). Every other column of the export is dropped, and said so.
    """
    key = _check_key(key)
    if not 0.0 <= float(min_answered) <= 1.0:
        raise user_error(f"min_answered={min_answered!r} should be a share between 0 and 1", fix="use e.g. 0.5 for half the items")
    if int(min_cell) < 1:
        raise user_error(f"min_cell={min_cell!r} should be a whole number of at least 1", fix="use the default 10")
    table = _match_codebook(raw.table, codebook, raw.path, raw.question_text)
    raw_m = RawExport(table, raw.row_numbers, raw.format, raw.path, raw.encoding, raw.delimiter, raw.sha256, raw.question_text, raw.header_rows)
    n = len(table)
    rown = np.asarray(raw.row_numbers)
    allow = set(allow_identifying_groups)
    unknown_allow = sorted(allow - set(codebook.group_columns))
    if unknown_allow:
        raise user_error(
            "an allowed identifying group column is not a group column of the codebook",
            column=unknown_allow[0], fix="list it under group_columns in the codebook, or remove the --allow-group option",
        )

    # columns: what looks identifying, what is dropped
    item_cols = {i.column for i in codebook.items}
    ident = identifying_columns(table, fmt=raw.format, skip=item_cols)
    ident_reason = dict(zip(ident["column"], ident["reason"]))
    for g in codebook.group_columns:
        if g in ident_reason and g not in allow:
            raise user_error(
                f"group column looks identifying ({ident_reason[g]}) and would be kept in the output",
                file=raw.path, column=g,
                fix=f"remove it from group_columns, or if it is safe keep it explicitly with --allow-group '{g}' (allow_identifying_groups)",
            )
    named = set(codebook.named_columns)
    dropped = []
    for col in table.columns:
        if col == codebook.id_column:
            dropped.append((col, "student ID: replaced by a keyed pseudonym"))
        elif col in codebook.name_columns:
            dropped.append((col, "name column: dropped, its names scrubbed from free text"))
        elif col in named:
            continue
        elif platform_metadata_reason(col, raw.format):
            dropped.append((col, platform_metadata_reason(col, raw.format)))
        elif col in ident_reason:
            dropped.append((col, f"identifying ({ident_reason[col]})"))
        else:
            dropped.append((col, "not named in the codebook"))
    ident_rows = []
    for col, why in ident_reason.items():
        if col in codebook.group_columns:
            action = "kept as a group column (allowed explicitly)"
        elif col in codebook.voice_columns.values():
            action = "kept as student voice, scrubbed"
        elif col == codebook.id_column:
            action = "replaced by a pseudonym"
        else:
            action = "dropped"
        ident_rows.append((col, why, action))

    # answers
    answers = item_answers(raw_m, codebook)
    a = answers.to_numpy()
    answered = np.isfinite(a).sum(axis=1)
    n_items = a.shape[1]

    # reasons, by precedence (the first reason that applies is the one recorded)
    reason = np.full(n, "", dtype=object)
    category = np.full(n, "", dtype=object)

    assigned = np.zeros(n, dtype=bool)

    def mark(mask, cat, text=None):
        mask = np.asarray(mask, dtype=bool) & ~assigned
        assigned[mask] = True
        category[mask] = cat
        if text is None:
            reason[mask] = cat
        else:
            reason[mask] = np.asarray(text, dtype=object)[mask] if not isinstance(text, str) else text

    other_cols = [c for c in table.columns if c not in item_cols]
    blank = answered == 0
    cand = np.flatnonzero(blank)  # only rows without any answer can be empty: check just those
    for c in other_cols:
        if not len(cand):
            break
        blank[cand] &= (table[c].iloc[cand].str.strip() == "").to_numpy()
        cand = cand[blank[cand]]
    mark(blank, "empty row")
    if raw.format in ("qualtrics", "qualtrics_legacy"):
        st = _find(table, "status", "responseset", "response type")
        if st is not None:
            sv = table[st].str.strip().str.casefold()
            for val, cat in _QUALTRICS_STATUS.items():
                mark((sv == val).to_numpy(), cat)
        ch = _find(table, "distributionchannel", "distribution channel")
        if ch is not None:
            cv = table[ch].str.strip().str.casefold()
            for val, cat in _QUALTRICS_CHANNEL.items():
                mark((cv == val).to_numpy(), cat)
        fin = _find(table, "finished")
        if fin is not None:
            fv = table[fin].str.strip().str.casefold()
            mark(fv.isin(_FALSE).to_numpy(), "unfinished response (Qualtrics Finished = False)")
    if codebook.id_column:
        id_codes, id_uniques = _factorize_ids(table[codebook.id_column])
        norm_ids = pd.Series(id_codes)  # one code per distinct normalised ID
        mark(np.asarray(id_uniques, dtype=object)[id_codes] == "", "no student ID")
        pseud = _pseudonyms_from_codes(id_codes, id_uniques, key)
    else:
        norm_ids = None
        pseud = _row_pseudonyms(rown, raw.sha256, key).to_numpy()
    under = answered < np.ceil(float(min_answered) * n_items - 1e-9)
    if under.any():
        text = np.full(n, "", dtype=object)
        text[under] = [f"answered {k} of {n_items} items ({k / n_items:.0%}), under the minimum {float(min_answered):.0%}" for k in answered[under]]
        mark(under, "under the minimum share of answered items", text)

    # straight-lining: the same answer to every item (at least 4 answered)
    hi = np.where(np.isfinite(a), a, -np.inf).max(axis=1) if n_items else np.zeros(n)
    lo = np.where(np.isfinite(a), a, np.inf).min(axis=1) if n_items else np.zeros(n)
    straight = (answered >= 4) & (hi == lo)
    flags = np.where(straight, "straight-lining", "").astype(object)
    if exclude_straight_lining:
        mark(straight, "straight-lining (same answer to every item)")

    if norm_ids is not None:
        eligible = category == ""
        ids_e = norm_ids[eligible]
        dup = ids_e.duplicated(keep="last").to_numpy()
        if dup.any():
            # row number of the submission kept for each ID
            last_row = pd.Series(rown[eligible], index=ids_e.to_numpy()).groupby(level=0).last()
            kept_row = last_row.reindex(ids_e.to_numpy()[dup]).to_numpy()
            idx = np.flatnonzero(eligible)[dup]
            m = np.zeros(n, dtype=bool)
            m[idx] = True
            text = np.full(n, "", dtype=object)
            text[idx] = [f"duplicate submission of the same student; row {int(r)} kept (the last)" for r in kept_row]
            mark(m, "duplicate submission (the last is kept)", text)

    kept = category == ""
    if not kept.any():
        counts = pd.Series(category).value_counts()
        summary = ", ".join(f"{c}: {k}" for c, k in counts.items())
        raise user_error(
            f"every one of the {n} rows was excluded ({summary})",
            file=raw.path,
            fix="check the codebook's item columns and labels, or lower --min-answered",
        )

    ledger = pd.DataFrame(
        {
            "row": rown.astype(np.int64),
            "pseudonym": np.where(pseud == "", np.nan, pseud).astype(object),
            "status": np.where(kept, "kept", "excluded").astype(object),
            "reason": reason,
            "flags": flags,
        }
    )

    # responses
    kept_idx = np.flatnonzero(kept)
    resp = {}
    for g in codebook.group_columns:
        resp[g] = _stripped_or_nan(table[g].iloc[kept_idx])
    items_block = a[kept_idx]
    name_values = []
    for c in codebook.name_columns:
        name_values.extend(pd.unique(table[c].to_numpy()))
    for col, why in ident_reason.items():
        if "email" in why and (col not in named or col == codebook.id_column) or col in codebook.name_columns:
            # local parts of email addresses often spell the student's name (ana.rook3@...):
            # their letter runs of 3 or more are scrubbed as names too
            local = "\n".join(e.split("@")[0] for e in pd.unique(table[col].to_numpy()) if isinstance(e, str) and "@" in e)
            name_values.extend(set(re.findall(r"[^\W\d_]{3,}", local)))
    name_values.extend(roster)
    id_values: list[str] = list(id_uniques) if codebook.id_column else []  # normalised already
    kept_cols = set(codebook.group_columns) | set(codebook.voice_columns.values()) | item_cols
    for col, why in ident_reason.items():
        if col in kept_cols or col == codebook.id_column or col in codebook.name_columns:
            continue
        # identifying columns the codebook does not name still feed the scrubber: their names
        # and IDs must not survive in the free text either
        values = [v for v in pd.unique(table[col].to_numpy()) if isinstance(v, str)]
        short = values and np.median([len(v.split()) for v in values[:2000]]) <= 3
        if "values look like names" in why or ("header says name" in why and short):
            name_values.extend(values)
        if ("header says ID" in why or "unique" in why) and "email" not in why and short:
            id_values.extend(_normalise_id(v) for v in values)
    id_tokens = frozenset({t for t in id_values if len(t) >= 3} | set(re.findall(r"\d{5,}", "\n".join(id_values))))
    scrubbed_counts = dict.fromkeys(_TAGS, 0)
    name_tokens = frozenset(_name_tokens(name_values))
    for vkey, col in codebook.voice_columns.items():
        original = pd.Series(_stripped_or_nan(table[col].iloc[kept_idx]), dtype=object)
        clean, counts = _scrub_series(original.astype(object), name_tokens, id_tokens)
        resp[vkey] = clean.to_numpy()
        for tag, k in counts.items():
            scrubbed_counts[tag] += k
    index = pd.Index(pseud[kept_idx], name="pseudonym", dtype=object)
    groups_part = pd.DataFrame({g: resp[g] for g in codebook.group_columns}, index=index)
    items_part = pd.DataFrame(items_block, index=index, columns=list(codebook.item_ids), dtype=np.float64)
    voice_part = pd.DataFrame({k: resp[k] for k in codebook.voice_columns}, index=index)
    responses = pd.concat([groups_part, items_part, voice_part], axis=1)

    groups = _group_report(responses, list(codebook.group_columns), int(min_cell))
    excl = pd.Series(category[~kept]).value_counts()
    disclosure = Disclosure(
        source={
            "file": raw.path.name,
            "format": raw.format,
            "encoding": raw.encoding,
            "delimiter": {",": "comma", ";": "semicolon", "\t": "tab", "": "none"}.get(raw.delimiter, raw.delimiter),
            "header_rows": int(raw.header_rows),
            "sha256": raw.sha256,
            "codebook": codebook.path.name if codebook.path else codebook.title,
            "codebook_sha256": codebook.sha256,
        },
        rows={"read": int(n), "kept": int(kept.sum()), "excluded": int((~kept).sum())},
        exclusions={str(k): int(v) for k, v in excl.sort_index().items()},
        flags={"straight-lining (same answer to every item)": int((straight & kept).sum())},
        dropped_columns=tuple(dropped),
        identifying_columns=tuple(ident_rows),
        kept_columns={"group": list(codebook.group_columns), "items": list(codebook.item_ids), "voice": list(codebook.voice_columns)},
        pseudonyms={
            "method": f"HMAC-SHA256 with a 32-byte secret key, first {PSEUDONYM_HEX} hex digits, prefix '{_PREFIX}'"
            + (f", of the normalised '{codebook.id_column}'" if codebook.id_column else ", of the export's hash and row number"),
            "linking": "the same key gives the same pseudonyms in every wave, so waves link"
            if codebook.id_column
            else "the codebook has no id_column: pseudonyms come from row numbers and do not link across waves",
            "linkable_across_waves": bool(codebook.id_column),
        },
        scrubbed={k.strip("[]").lower(): v for k, v in scrubbed_counts.items() if v},
        groups=groups,
    )
    return Deidentified(responses=responses, ledger=ledger, disclosure=disclosure)


def _stripped_or_nan(s: pd.Series) -> np.ndarray:
    """Cells stripped of surrounding spaces, empty ones NaN; done once per distinct value."""
    codes, uniques = pd.factorize(s, sort=False)
    clean = np.array([u.strip() if isinstance(u, str) else u for u in np.asarray(uniques, dtype=object)] + [np.nan], dtype=object)
    clean[clean == ""] = np.nan
    return clean[np.where(codes >= 0, codes, len(clean) - 1)]


def _group_report(responses: pd.DataFrame, columns: list[str], min_cell: int) -> dict:
    out = {"columns": columns, "min_cell": min_cell}
    if not columns:
        out.update({"smallest_group": int(len(responses)), "n_groups": 1 if len(responses) else 0,
                    "n_small_groups": 0, "small_groups": [], "by_column": {}, "too_fine": []})
        return out
    frame = pd.DataFrame({c: _stripped_or_nan(responses[c]) for c in columns}).fillna("(missing)")
    sizes = frame.groupby(columns, sort=True).size()
    small = sizes[sizes < min_cell]
    out["smallest_group"] = int(sizes.min())
    out["n_groups"] = int(len(sizes))
    out["n_small_groups"] = int(len(small))
    out["small_groups"] = [
        {"group": dict(zip(columns, (idx if isinstance(idx, tuple) else (idx,)))), "n": int(k)} for idx, k in small.items()
    ]
    by = {}
    for c in columns:
        s = frame[c].value_counts()
        by[c] = {"n_groups": int(len(s)), "smallest": int(s.min()), "too_fine": bool(s.min() < min_cell)}
    out["by_column"] = by
    out["too_fine"] = [c for c in columns if by[c]["too_fine"]]
    return out
