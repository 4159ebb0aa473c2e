"""Checking that two survey waves were pseudonymised with the same key before they are linked."""

from __future__ import annotations

import warnings
from typing import Iterable

from ..errors import ToolkitError

__all__ = ["WaveLinkWarning", "check_wave_link"]


class WaveLinkWarning(UserWarning):
    """Fewer wave-2 students link to wave 1 than expected: transitions rest on a subset."""


def check_wave_link(wave1_ids: Iterable[str], wave2_ids: Iterable[str], *, min_share: float = 0.8, error_share: float = 0.5) -> int:
    """Count the wave-2 pseudonyms found in wave 1, refusing a link that points to a different key.

    Parameters
    ----------
    wave1_ids, wave2_ids : iterable of str
        The pseudonyms of each wave (missing values ignored).
    min_share : float, default=0.8
        Below this share of wave-2 students linked, a :class:`WaveLinkWarning` gives the counts.
    error_share : float, default=0.5
        Below this share, the waves were almost surely pseudonymised with different keys: a
        :class:`ToolkitError` says so.

    Returns
    -------
    int
        The number of wave-2 students linked.
    """
    w1 = {x for x in wave1_ids if isinstance(x, str) and x}
    w2 = {x for x in wave2_ids if isinstance(x, str) and x}
    if not w2:
        raise ToolkitError("wave 2 has no pseudonyms to link. Give the de-identified responses of the second wave.")
    linked = len(w1 & w2)
    share = linked / len(w2)
    if share < error_share:
        raise ToolkitError(
            f"only {linked} of {len(w2)} wave-2 students ({share:.0%}) match a wave-1 pseudonym: the two waves were "
            "almost surely de-identified with different key files. Run deidentify on wave 2 with wave 1's --key."
        )
    if share < min_share:
        warnings.warn(
            f"{linked} of {len(w2)} wave-2 students ({share:.0%}) match wave 1 (below {min_share:.0%}); "
            f"{len(w2) - linked} are new or changed ID: transitions are computed on the {linked} linked students.",
            WaveLinkWarning,
            stacklevel=2,
        )
    return linked
