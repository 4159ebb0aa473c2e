"""A teacher's own survey, end to end: the second bundled example, not shaped like the sample.

The example (``data/example-forms/``, made by :func:`toolkit.sample.generate_forms_example`) is a
Microsoft Forms .xlsx from 60 fake students: belonging (5 items), maths anxiety (4) and growth
mindset (3), a 1-7 agreement scale written as words, Class and Year columns, one free-text
question, no second wave. The tests draft its codebook, make the edits a teacher makes, and run
deidentify, score and profiles through the public API and the command line.
"""

from __future__ import annotations

import re


def teacher_edits(draft: str, *, reverse: str = "hinted") -> str:
    """The edits a teacher makes to a draft after deciding each TODO mark.

    Every ``# TODO`` comment is deleted (the drafted value is accepted); TODO-only comment lines
    (an unsure group column, a missing ID) are deleted; with ``reverse="hinted"`` each item the
    draft hints at is marked ``reverse: true``, with ``reverse="none"`` the hints are ignored.
    """
    out = []
    lines = draft.splitlines()
    for k, line in enumerate(lines):
        if "TODO" not in line:
            out.append(line)
            continue
        code, _, comment = line.partition("  # TODO")
        if not code.strip() or code.lstrip().startswith("#"):
            continue  # a comment line that only asked a question
        if "reverse keyed?" in comment and reverse == "hinted":
            m = re.match(r'^(\s+\w+): (.*)$', code)
            head, value = m.group(1), m.group(2)
            if value.startswith("{"):
                code = f"{head}: {value[:-1]}, reverse: true}}"
            elif value.startswith('"'):
                code = f"{head}: {{column: {value}, reverse: true}}"
            else:  # an item with its own scale: a nested block follows
                indent = len(lines[k + 1]) - len(lines[k + 1].lstrip())
                out.append(code)
                out.append(" " * indent + "reverse: true")
                continue
        out.append(code.rstrip())
    return "\n".join(out) + "\n"
