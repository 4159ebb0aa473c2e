"""Notebook tests (nbval): the kernels never touch the developer's real pseudonym key."""

import os
import tempfile


def pytest_configure(config):
    """Point TOOLKIT_KEY_FILE at a fresh temporary folder before any notebook kernel starts."""
    os.environ["TOOLKIT_KEY_FILE"] = os.path.join(tempfile.mkdtemp(prefix="toolkit-nbval-"), "pseudonym.key")
