"""Reading the toolkit's YAML files (codebook, strategy library, workload) with one kind of error.

Every YAML file a teacher edits is read the same way: it must exist, be UTF-8 (a byte-order mark
is fine) and parse; a mistake names the file, the line and column, and what to check.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import yaml

from .errors import ToolkitError

__all__ = ["read_text_file", "parse_yaml"]


def read_text_file(path: Path, what: str, hint: str) -> tuple[str, str]:
    """Return the text of a UTF-8 file and the SHA-256 of its bytes.

    Parameters
    ----------
    path : Path
    what : str
        What the file is, for messages ("codebook").
    hint : str
        What to give instead when the file is missing.
    """
    if not path.is_file():
        raise ToolkitError(f"{path}: {what} file not found. {hint}")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ToolkitError(f"{path}: the {what} is not UTF-8 text ({exc.reason}). Save it as UTF-8.") from None
    return text, hashlib.sha256(raw).hexdigest()


MAX_DEPTH = 40
"""Deepest nesting of mappings and lists accepted in a teacher-edited YAML file."""


class _StrictLoader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that refuses aliases, duplicate keys and deep nesting.

    Aliases (``*name``) are refused outright: the toolkit's files never need them, and alias
    expansion is how a few hundred bytes become gigabytes ("billion laughs"). A repeated key would
    silently keep only its last value (a construct dropped, an item's reverse keying flipped), so it
    is an error naming both lines. Nesting deeper than ``MAX_DEPTH`` is refused before the parser
    recurses into it.
    """

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _Refused(event.start_mark, f"it uses the alias *{event.anchor}; aliases are not allowed, write the value out in full")
        depth = getattr(self, "_depth", 0)
        if depth > MAX_DEPTH:
            raise _Refused(self.peek_event().start_mark, f"it is nested more than {MAX_DEPTH} levels deep")
        self._depth = depth + 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth = depth

    def construct_mapping(self, node, deep=False):
        seen = {}
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                key = key_node.value
                if key in seen:
                    raise _Refused(
                        key_node.start_mark,
                        f"the key {key!r} appears twice (first on line {seen[key] + 1}); "
                        "only one would be kept, so remove or rename one",
                    )
                seen[key] = key_node.start_mark.line
        return super().construct_mapping(node, deep=deep)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _StrictLoader.construct_mapping)


class _Refused(Exception):
    def __init__(self, mark, problem):
        super().__init__(problem)
        self.mark = mark
        self.problem = problem


def parse_yaml(text: str, source: str, what: str) -> Any:
    """Parse YAML safely, with a message that names the file, line and column of a mistake.

    Like ``yaml.safe_load``, but aliases, duplicate keys and nesting deeper than ``MAX_DEPTH``
    are refused (see ``_StrictLoader``).
    """
    loader = _StrictLoader(text)
    try:
        return loader.get_single_data()
    except _Refused as exc:
        raise ToolkitError(
            f"{source}, line {exc.mark.line + 1}, column {exc.mark.column + 1}: the {what} cannot be read: {exc.problem}."
        ) from None
    except RecursionError:
        raise ToolkitError(f"{source}: the {what} is nested too deeply to read (more than {MAX_DEPTH} levels).") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ToolkitError(f"{source}{where}: the {what} is not valid YAML ({problem}). Check indentation and quotes.") from None
    finally:
        loader.dispose()
