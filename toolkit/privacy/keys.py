"""Keyed pseudonyms: the key file and HMAC-SHA256 pseudonyms.

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
import os
import secrets
import stat
from os import PathLike
from pathlib import Path

import numpy as np
import pandas as pd

from ..config import KEY_FILE_ENV, default_key_file
from ..errors import user_error

from ..scrub import _normalise_id

__all__ = ["load_or_create_key", "pseudonymize", "KEY_BYTES", "PSEUDONYM_HEX"]

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
        The file is readable or writable by other users, is not a regular file, is a link to a
        file that does not exist (a key on a drive that is not connected), cannot be read or
        made, or is not exactly 32 bytes (a damaged or wrong file).

    Notes
    -----
    A new key is 32 bytes from :func:`secrets.token_bytes`, written to a file created with
    ``O_CREAT | O_EXCL`` and mode 0600 (its folder, when created, 0700), so no other user can
    read it even for a moment. Keep a backup of the key: without it the pseudonyms of a new wave
    cannot be linked to earlier ones.
    """
    path = Path(path).expanduser() if path is not None else default_key_file()
    if path.is_symlink() and not path.exists():
        # a link to a key on a drive that is not connected: a new key here would give pseudonyms
        # that never link to the earlier waves, so refuse instead of making one
        raise user_error(
            f"the pseudonym key file is a link to '{os.readlink(path)}', which does not exist",
            file=path,
            fix="connect the drive that holds the key or correct the link, then run again "
            "(a new key would give pseudonyms that do not link to earlier waves)",
        )
    if not path.exists():
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        except OSError as exc:
            raise user_error(f"a new pseudonym key cannot be made here ({exc.strerror or type(exc).__name__})",
                             file=path, fix=f"point --key-file (or ${KEY_FILE_ENV}) at a private folder you may write to") from None
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it a moment ago: use theirs
            pass
        except OSError as exc:
            raise user_error(f"a new pseudonym key cannot be made here ({exc.strerror or type(exc).__name__})",
                             file=path, fix=f"point --key-file (or ${KEY_FILE_ENV}) at a private folder you may write to") from None
        else:
            with os.fdopen(fd, "wb") as fh:
                fh.write(secrets.token_bytes(KEY_BYTES))
                fh.flush()
                os.fsync(fh.fileno())
    try:
        st = path.stat()
    except OSError as exc:
        raise user_error(f"the pseudonym key file cannot be read ({exc.strerror or type(exc).__name__})", file=path,
                         fix=f"point --key-file (or ${KEY_FILE_ENV}) at the key file") from None
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
    try:
        return path.read_bytes()
    except OSError as exc:
        raise user_error(f"the pseudonym key file cannot be read ({exc.strerror or type(exc).__name__})", file=path,
                         fix="check that you may read it (chmod 600 and your own user)") from None


def _check_key(key) -> bytes:
    if not isinstance(key, (bytes, bytearray)) or len(key) != KEY_BYTES:
        raise user_error(f"the pseudonym key must be {KEY_BYTES} bytes",
                         fix="load it with toolkit.load_or_create_key()")
    return bytes(key)


# --------------------------------------------------------------------------------------------
# pseudonyms




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


