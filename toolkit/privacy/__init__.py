"""De-identification: keyed pseudonyms, identifying columns, and the gate :func:`deidentify`.

Free-text scrubbing is a shared foundation (:mod:`toolkit.scrub`): later stages scrub what
students type into goals and notes with the same function.
"""

from ..scrub import scrub_text
from .columns import identifying_columns
from .deidentify import Deidentified, Disclosure, deidentify
from .waves import WaveLinkWarning, check_wave_link
from .keys import KEY_BYTES, PSEUDONYM_HEX, load_or_create_key, pseudonymize

__all__ = [
    "Deidentified",
    "Disclosure",
    "deidentify",
    "identifying_columns",
    "load_or_create_key",
    "pseudonymize",
    "scrub_text",
    "check_wave_link",
    "WaveLinkWarning",
    "KEY_BYTES",
    "PSEUDONYM_HEX",
]
