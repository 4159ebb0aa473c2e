"""Counts in words for the sentences the toolkit prints and writes ("1 profile", "4 profiles")."""

from __future__ import annotations


def count(n, noun: str) -> str:
    """``n`` and the noun, singular for one, plural (with an s) otherwise.

    >>> count(1, "profile"), count(4, "profile")
    ('1 profile', '4 profiles')
    """
    return f"{n} {noun}{'' if n == 1 else 's'}"
