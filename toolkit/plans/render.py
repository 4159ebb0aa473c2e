"""Printable pages of a :class:`~toolkit.plans.PlanSet`: template sheets, plan sheets, reflection sheets.

Every page is one self-contained HTML file sized for one printed page (A4 or Letter), in plain
language. Pages carry the student's pseudonym only; a name appears only when the teacher passes
one explicitly (``name=``), which the command line does only for the folder given with
``--names-out``.

:func:`write_plan_files` writes the whole set into a folder (the command line passes the
temporary folder of :func:`toolkit._atomic.atomic_output_dir`, so a failure writes nothing)::

    plans.csv                    one row per student (PlanSet.to_frame)
    templates.csv, templates.md  one template per profile
    sheets/template-<k>.html     a template, for the teacher
    sheets/<pseudonym>.html      a student's plan
    reflections/<pseudonym>.html the student's reflection sheet ("Here is what you told us...")
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Mapping

import jinja2
from markupsafe import Markup

from .._csv import defuse_formulas
from ..errors import user_error
from .drafting import PlanSet, StudentPlan

__all__ = [
    "render_template_sheet",
    "render_plan_sheet",
    "render_reflection_sheet",
    "write_plan_files",
    "write_named_sheets",
    "sheet_filename",
]

_ENV = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)

_STYLE = """
@page { size: A4; margin: 14mm; }
body { font-family: "Segoe UI", Helvetica, Arial, sans-serif; font-size: 11pt; line-height: 1.35;
       color: #1b1b1b; max-width: 180mm; margin: 0 auto; }
h1 { font-size: 16pt; margin: 0 0 2mm; }
h2 { font-size: 12pt; margin: 4mm 0 1mm; border-bottom: 1px solid #bbb; }
.meta { color: #555; font-size: 9.5pt; margin-bottom: 2mm; }
.flag { border: 2px solid #b00020; padding: 2mm 3mm; margin: 3mm 0; font-weight: 600; }
.names { border: 2px solid #8a5a00; background: #fff7e0; padding: 1mm 3mm; font-size: 9.5pt; }
table { border-collapse: collapse; width: 100%; font-size: 9.5pt; }
th, td { border: 1px solid #ccc; padding: 1mm 2mm; vertical-align: top; text-align: left; }
th { background: #f2f2f2; }
.quote { font-style: italic; margin: 1mm 0 1mm 4mm; }
.box { border: 1px solid #888; height: 22mm; margin: 2mm 0; }
.tick { display: inline-block; width: 4mm; height: 4mm; border: 1px solid #333; margin-right: 2mm; vertical-align: -0.5mm; }
ul.choices { list-style: none; padding-left: 0; }
ul.choices li { margin: 1.5mm 0; }
.small { font-size: 8.5pt; color: #555; }
@media print { .noprint { display: none; } }
"""

_BASE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title>
<style>{{ style }}</style></head><body>
{% if name %}<p class="names">This page shows a student's name. Keep it with the teacher; do not share it or put it in a report.</p>{% endif %}
{{ body }}
</body></html>
"""

_TEMPLATE_BODY = """<h1>Plan template: {{ t.name }}</h1>
<p class="meta">Profile {{ t.profile }} &middot; {{ t.n_students }} student{{ "s" if t.n_students != 1 }} &middot; check-in {{ t.check_in }} ({{ t.check_ins_per_term }} a term) &middot; {{ "%g"|format(t.minutes_per_week) }} teacher minutes a week, {{ "%g"|format(t.minutes_per_term) }} a term</p>
<p>{{ t.description }}</p>
<h2>Focus areas</h2>
{% if focus %}<ul>{% for f in focus %}<li>{{ f }}</li>{% endfor %}</ul>{% else %}<p>None stands out for this group: keep what works and build on their strengths.</p>{% endif %}
<h2>Strengths to build on</h2>
{% if strengths %}<ul>{% for s in strengths %}<li>{{ s }}</li>{% endfor %}</ul>{% else %}<p>None stands out compared with all the students surveyed.</p>{% endif %}
<h2>What the teacher does</h2>
<table><tr><th>Strategy</th><th>Grouping</th><th>Min/week</th><th>Evidence</th></tr>
{% for s in strategies %}<tr><td><strong>{{ s.title }}</strong>{% if s.id == t.stretch_strategy %} (stretch){% endif %}<br>{{ s.description }}{% if s.caution %}<br><em>Caution: {{ s.caution }}</em>{% endif %}</td>
<td>{{ s.grouping|replace("_", " ") }}</td><td>{{ "%g"|format(s.minutes_per_week) }}{% if s.minutes_note %}<br><span class="small">{{ s.minutes_note }}</span>{% endif %}</td><td class="small">{{ s.evidence }} [{{ s.mark }}]</td></tr>
{% endfor %}</table>
<p class="small">Evidence figures such as EEF "months of progress" are average effects of a whole approach across studies, not a prediction for one student. Each student's plan adds a light personal layer; students whose answers fit the profile poorly are flagged for a conversation first.</p>
"""

_PLAN_BODY = """<h1>Learning plan{% if name %}: {{ name }}{% endif %}</h1>
<p class="meta">Student {{ p.pseudonym }} &middot; profile: {{ p.profile_name }}{% if certainty %} (fit {{ certainty }}){% endif %} &middot; check-in {{ p.check_in }} &middot; about {{ "%g"|format(p.minutes) }} teacher minutes a term for the personal layer</p>
{% if p.flagged %}<div class="flag">{{ p.flag_reason }}</div>{% endif %}
{% if p.in_my_words %}<h2>In my words</h2><p class="quote">{{ p.in_my_words[14:] if p.in_my_words.startswith("In my words: ") else p.in_my_words }}</p>{% endif %}
<h2>My goal</h2>
{% if p.goal %}<p class="quote">{{ p.goal }}</p>{% else %}<p>Not written yet: see the reflection sheet.</p>{% endif %}
<h2>From the {{ p.profile_name }} template</h2>
<p>{{ t.description }}</p>
<table><tr><th>Strategy</th><th>Grouping</th><th>Min/week</th></tr>
{% for s in template_strategies %}<tr><td><strong>{{ s.title }}</strong><br>{{ s.description }}</td><td>{{ s.grouping|replace("_", " ") }}</td><td>{{ "%g"|format(s.minutes_per_week) }}</td></tr>
{% endfor %}</table>
<h2>Personal layer</h2>
<ul>
<li>Where this student differs from the template:
{% if growth %}{{ growth|join(", ") }} (more support than the group){% else %}no extra growth area{% endif %}{% if strengths %}; strengths of their own: {{ strengths|join(", ") }}{% endif %}.</li>
{% if added %}<li>Added for this student: <strong>{{ added.title }}</strong> ({{ added.grouping|replace("_", " ") }}, {{ "%g"|format(added.minutes_per_week) }} min/week). {{ added.description }}</li>{% endif %}
</ul>
"""

_REFLECTION_BODY = """<h1>My learning plan: what do you think?</h1>
<p class="meta">Your code: <strong>{{ p.pseudonym }}</strong>{% if name %} &middot; {{ name }}{% endif %} &middot; please keep the code on this sheet</p>
<h2>Here is what you told us</h2>
{% if strengths %}<p>Going well for you:</p><ul>{% for s in strengths %}<li>{{ s }}</li>{% endfor %}</ul>{% endif %}
{% if needs %}<p>Where a bit more support could help:</p><ul>{% for s in needs %}<li>{{ s }}</li>{% endfor %}</ul>{% endif %}
{% if not strengths and not needs %}<p>Your answers were close to those of most students.</p>{% endif %}
{% if words %}<p>In your own words:</p>{% for w in words %}<p class="quote">"{{ w }}"</p>{% endfor %}{% endif %}
<h2>Which of these would help you?</h2>
<p>Tick the ones you think would help, and cross out any that would not.</p>
<ul class="choices">{% for s in strategies %}<li><span class="tick"></span>{{ s.title }}</li>{% endfor %}
<li><span class="tick"></span>Something else: ____________________________________________</li></ul>
<h2>Write one goal</h2>
<p>One thing you want to do or get better at this term{% if p.goal %} (last time you wrote: "{{ p.goal }}"){% endif %}:</p>
<div class="box"></div>
<p class="small">Give this sheet back to your teacher. Your teacher will use it to plan with you; it is not marked.</p>
"""


@functools.lru_cache(maxsize=None)
def _compiled(source: str) -> jinja2.Template:
    return _ENV.from_string(source)


def _page(title: str, body: str, name: str | None) -> str:
    # body was rendered (and escaped) by its own template; Markup stops a second escape
    return _compiled(_BASE).render(title=title, style=Markup(_STYLE), body=Markup(body), name=name)


def render_template_sheet(plans: PlanSet, profile: int) -> str:
    """One printable HTML page for the teacher: a profile's template.

    Parameters
    ----------
    plans : PlanSet
    profile : int

    Returns
    -------
    str
        A complete HTML document.
    """
    t = plans.template(profile)
    body = _compiled(_TEMPLATE_BODY).render(
        t=t,
        focus=[plans.describe(c, need=True) for c in t.focus],
        strengths=[plans.describe(c, need=False) for c in t.strengths],
        strategies=[plans.library.get(i) for i in t.strategies],
    )
    return _page(f"Plan template: {t.name}", body, None)


def render_plan_sheet(plans: PlanSet, pseudonym: str, *, name: str | None = None) -> str:
    """One printable HTML page: a student's plan (template plus personal layer).

    Parameters
    ----------
    plans : PlanSet
    pseudonym : str
    name : str, optional
        The student's name, shown at the top with a warning. Only for the teacher's own copy;
        never pass it for pages that go into a shared folder or a report.

    Returns
    -------
    str
    """
    p = plans.plan(pseudonym)
    t = plans.template(p.profile)
    cert = f"{p.certainty:.2f}" if p.certainty == p.certainty else ""
    body = _compiled(_PLAN_BODY).render(
        p=p, t=t, name=name, certainty=cert,
        template_strategies=[plans.library.get(i) for i in p.template_strategies],
        growth=[plans.describe(c, need=True) for c in p.personal_growth_areas],
        strengths=[plans.describe(c, need=False) for c in p.personal_strengths],
        added=plans.library.get(p.added_strategy) if p.added_strategy else None,
    )
    return _page(f"Learning plan {p.pseudonym}", body, name)


def _student_words(p: StudentPlan) -> list[str]:
    text = p.in_my_words
    if text.startswith("In my words: "):
        text = text[len("In my words: "):]
    return [w.strip().strip('"') for w in re.split(r'";\s*"', text) if w.strip().strip('"')]


def _student_terms(plans: PlanSet, keys, *, need: bool) -> list[str]:
    out = []
    for key in keys:
        c = next((c for c in plans.codebook.constructs if c.key == key), None)
        tag = c.tag if c else key
        label = plans.library.tags.get(tag) or plans.label(key)
        better = c.higher_is_better if c else True
        if not need and not better:
            label = "Not much " + label[0].lower() + label[1:]
        out.append(label)
    return out


def render_reflection_sheet(plans: PlanSet, pseudonym: str, *, name: str | None = None) -> str:
    """One printable HTML page for the student: "Here is what you told us. Which of these would
    help you? Write one goal."

    What the student told us are their own largest strengths and needs (from their answers, at
    most two each, in plain words), their free text, and the strategies of their plan to tick.
    The sheet carries the pseudonym so that the goal can be imported back
    (``toolkit plans import-goals``).

    Parameters
    ----------
    plans : PlanSet
    pseudonym : str
    name : str, optional
        The student's name (teacher's own copy only; see :func:`render_plan_sheet`).

    Returns
    -------
    str
    """
    p = plans.plan(pseudonym)
    needs = plans.needs.loc[p.pseudonym] if p.pseudonym in plans.needs.index else None
    own_needs, own_strengths = [], []
    if needs is not None:
        min_need = float(plans.settings.get("personal_min_need", 0.5))
        ordered = needs.dropna().sort_values(ascending=False, kind="stable")
        own_needs = list(ordered[ordered > min_need].index[:2])
        own_strengths = list(ordered[ordered < -min_need].index[::-1][:2])
    body = _compiled(_REFLECTION_BODY).render(
        p=p, name=name,
        strengths=_student_terms(plans, own_strengths, need=False),
        needs=_student_terms(plans, own_needs, need=True),
        words=_student_words(p),
        strategies=[plans.library.get(i) for i in p.strategies],
    )
    return _page(f"Reflection sheet {p.pseudonym}", body, name)


def sheet_filename(pseudonym: str) -> str:
    """The file name of a student's sheet: the pseudonym, with anything but letters, digits, '-' and '_' replaced."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", str(pseudonym)) + ".html"


def _check_filenames(plans: PlanSet) -> None:
    seen: dict[str, str] = {}
    for p in plans.plans:
        f = sheet_filename(p.pseudonym)
        if f in seen:
            raise user_error(f"two pseudonyms give the same sheet file name {f}", value=p.pseudonym,
                             fix=f"use pseudonyms of letters, digits, '-' and '_' (the other is '{seen[f]}')")
        seen[f] = p.pseudonym


def write_plan_files(plans: PlanSet, folder: str | Path) -> list[Path]:
    """Write plans.csv, templates.csv, templates.md and every sheet into ``folder``.

    Nothing here holds a name: student files are named by pseudonym. Use it inside
    :func:`toolkit._atomic.atomic_output_dir` so that a failure writes nothing.

    Returns
    -------
    list of Path
        The files written, in the order written.
    """
    folder = Path(folder)
    _check_filenames(plans)
    written = []

    def put(rel: str, text: str) -> None:
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="\n")
        written.append(path)

    # students' own words must not run as a spreadsheet formula when the CSV is opened
    put("plans.csv", defuse_formulas(plans.to_frame()).to_csv(lineterminator="\n"))
    put("templates.csv", defuse_formulas(plans.templates_frame()).to_csv(lineterminator="\n"))
    put("templates.md", plans.templates_markdown())
    for t in plans.templates:
        put(f"sheets/template-{t.profile}.html", render_template_sheet(plans, t.profile))
    for p in plans.plans:
        put(f"sheets/{sheet_filename(p.pseudonym)}", render_plan_sheet(plans, p.pseudonym))
        put(f"reflections/{sheet_filename(p.pseudonym)}", render_reflection_sheet(plans, p.pseudonym))
    return written


def write_named_sheets(plans: PlanSet, names: Mapping[str, str], folder: str | Path) -> list[Path]:
    """Write name-bearing plan and reflection sheets for the teacher's own use.

    Parameters
    ----------
    plans : PlanSet
    names : Mapping
        Pseudonym -> the student's name (from the teacher's roster). Students without a plan are
        ignored; plans without a name get no page here.
    folder : path
        A folder the teacher owns and keeps private. The file names stay the pseudonyms.

    Returns
    -------
    list of Path
    """
    folder = Path(folder)
    _check_filenames(plans)
    written = []
    known = {p.pseudonym for p in plans.plans}
    for pid in sorted(k for k in names if k in known):
        for sub, render in (("plans", render_plan_sheet), ("reflections", render_reflection_sheet)):
            path = folder / sub / sheet_filename(pid)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(render(plans, pid, name=str(names[pid])), encoding="utf-8", newline="\n")
            written.append(path)
    readme = folder / "README-PRIVATE.txt"
    readme.write_text(
        "This folder holds students' names next to their plans. Keep it private to the teacher: do not\n"
        "share it, copy it into a shared drive, or use it in any report. Delete it at the end of the term.\n",
        encoding="utf-8",
    )
    written.append(readme)
    return written
