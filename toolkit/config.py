"""Paths and defaults, in one place."""

from __future__ import annotations

import os
from pathlib import Path

__all__ = [
    "MIN_CELL",
    "PACKAGE_DATA",
    "PROJECT_ROOT",
    "SAMPLE_DIR",
    "KEY_FILE_ENV",
    "default_key_file",
    "DEFAULT_SEED",
    "DEFAULT_MODELS",
    "DEFAULT_K_RANGE",
    "GROUP_MAX_LEVELS",
]

#: Smallest count shown to leadership; smaller counts are suppressed.
MIN_CELL = 10
#: Seed of the bundled sample and the demo.
DEFAULT_SEED = 2024
#: tidyLPA models fitted unless told otherwise (1 EEI, 2 VVI, 3 EEE, 6 VVV).
DEFAULT_MODELS = (1, 2, 3, 6)
#: Numbers of profiles compared unless told otherwise, as the command line writes them.
DEFAULT_K_RANGE = "1-6"
#: Without a codebook, a column of whole numbers with at most this many distinct values is a
#: group (a grade, a section number), not a scale score.
GROUP_MAX_LEVELS = 20
#: Data shipped inside the package (strategy library, workload defaults).
PACKAGE_DATA = Path(__file__).resolve().parent / "data"
#: The source checkout, when the package is installed in development mode.
PROJECT_ROOT = Path(__file__).resolve().parent.parent
#: The bundled synthetic sample.
SAMPLE_DIR = PROJECT_ROOT / "data" / "sample"
#: Environment variable naming the pseudonym key file.
KEY_FILE_ENV = "TOOLKIT_KEY_FILE"


def default_key_file() -> Path:
    """Where the pseudonym key lives unless told otherwise: outside the project.

    ``$TOOLKIT_KEY_FILE`` when set, else ``$XDG_CONFIG_HOME/learning-profiles-toolkit/pseudonym.key``
    (``~/.config/...`` when ``XDG_CONFIG_HOME`` is unset).
    """
    env = os.environ.get(KEY_FILE_ENV)
    if env:
        return Path(env).expanduser()
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return base / "learning-profiles-toolkit" / "pseudonym.key"
