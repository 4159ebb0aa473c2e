"""Printable pages of a :class:`~toolkit.plans.PlanSet`: for the teacher and for each student.

Every page is one self-contained HTML file with a print stylesheet sized for one printed page
(A4 by default, or US Letter), in plain language. Pages carry the student's pseudonym only; a
name appears only when the teacher passes one explicitly (``name=``), which the command line does
only for the folder given with ``--names-out``.

Who reads what (stated once):

- The **student** receives ``reflections/<pseudonym>.html`` (the co-writing sheet: what you told
  us in your words, what is going well, two or three things that might help to tick, cross or
  replace, my goal, what I will try, how I will know, who can help, when we check, "does this
  describe you?") and ``sheets/<pseudonym>.html`` (my learning plan, as agreed). Both are
  written to "you" in words a 14-year-old reads (the library's ``student_title`` and
  ``student_tags``) and never show a profile name, a fit value, a flag or teacher minutes.
- The **teacher** reads ``sheets/template-<k>.html`` and the class pack
  ``pack/<group>.html``: one file per section (or class), with an index, the template sheets at
  the front and one page per student (profile, fit, flag, dates, the personal layer, each
  strategy with its grouping and how we will know it works, and a check-in log).

:func:`write_plan_files` writes the whole set into a folder (the command line passes the
temporary folder of :func:`toolkit._atomic.atomic_output_dir`, so a failure writes nothing)::

    plans.csv                     one row per student (PlanSet.to_frame)
    templates.csv, templates.md   one template per profile
    form-questions.txt            the co-writing sheet's questions, to paste into a Google or
                                  Microsoft Form (its export is read back by toolkit plans import)
    answers-template.csv          the same as a plain CSV for the teacher to fill in
    sheets/template-<k>.html      a template, for the teacher
    sheets/<pseudonym>.html       the student's plan, to the student
    reflections/<pseudonym>.html  the student's co-writing sheet
    pack/<group>.html, pack/index.html   the class pack, for the teacher
"""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import Mapping

import jinja2
from markupsafe import Markup

from .._csv import defuse_formulas
from .._words import count
from ..errors import user_error
from .plan_set import PlanSet, StudentPlan
from .goals import ANSWER_FIELDS, DESCRIBES, PROGRESS, form_questions

__all__ = [
    "PAPERS",
    "render_template_sheet",
    "render_plan_sheet",
    "render_reflection_sheet",
    "render_class_pack",
    "pack_groups",
    "write_plan_files",
    "write_named_sheets",
    "sheet_filename",
]

#: Paper sizes of the print stylesheet.
PAPERS = {"A4": "A4", "letter": "letter"}
_GROUPING = {"whole_class": "whole class: everyone (not differentiation)", "small_group": "small group",
             "pairs": "pairs", "individual": "one student"}
_STUDENT_GROUPING = {"whole_class": "in class, for everyone", "small_group": "with a small group",
                     "pairs": "with a partner", "individual": "just for you"}
_STUDENT_RHYTHM = {"weekly": "every week", "every two weeks": "every two weeks", "every four weeks": "every four weeks"}

_ENV = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)

_STYLE = """
@page { size: %(paper)s; margin: 12mm; }
body { font-family: "Segoe UI", Helvetica, Arial, sans-serif; font-size: 10.5pt; line-height: 1.3;
       color: #1b1b1b; max-width: 182mm; margin: 0 auto; }
h1 { font-size: 15pt; margin: 0 0 1.5mm; }
h2 { font-size: 11pt; margin: 3mm 0 1mm; border-bottom: 1px solid #bbb; }
.meta { color: #555; font-size: 9pt; margin-bottom: 1.5mm; }
.flag { border: 2px solid #b00020; padding: 1.5mm 3mm; margin: 2mm 0; font-weight: 600; }
.names { border: 2px solid #8a5a00; background: #fff7e0; padding: 1mm 3mm; font-size: 9pt; }
table { border-collapse: collapse; width: 100%%; font-size: 9pt; }
th, td { border: 1px solid #ccc; padding: 0.8mm 1.5mm; vertical-align: top; text-align: left; }
th { background: #f2f2f2; }
.quote { font-style: italic; margin: 0.5mm 0 0.5mm 4mm; }
.box { border: 1px solid #888; height: 12mm; margin: 1mm 0; }
.box.small { height: 8mm; }
.tick { display: inline-block; width: 3.5mm; height: 3.5mm; border: 1px solid #333; margin: 0 1mm 0 3mm; vertical-align: -0.5mm; }
ol.choices li { margin: 1mm 0; }
.small { font-size: 8pt; color: #555; }
.log td { height: 7mm; }
table.tmpl { font-size: 8pt; line-height: 1.2; }
table.tmpl .small { font-size: 7pt; }
.tmpl-page h2 { margin: 2mm 0 0.5mm; }
.tmpl-page ul { margin: 0.5mm 0; }
.page { break-after: page; page-break-after: always; }
.page:last-child { break-after: auto; page-break-after: auto; }
@media print { .noprint { display: none; } body { max-width: none; } }
"""

_BASE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title>
<style>{{ style }}</style></head><body>
{% if warning %}<p class="names noprint">{{ warning }}</p>{% endif %}
{{ body }}
</body></html>
"""

# For the teacher's eyes only: shown on screen, never printed (the sheet is handed to the student).
_NAMED_STUDENT_WARNING = ("Teacher: this copy shows the student's name; print it and hand it to the student. "
                          "Keep the file in your private folder (this note is not printed).")
_NAMED_TEACHER_WARNING = "This page shows students' names. Keep it with the teacher; do not share it or put it in a report."

_TEMPLATE_BODY = """<div class="tmpl-page"><h1>Plan template: {{ t.name }}</h1>
<p class="meta">For the teacher &middot; Profile {{ t.profile }} &middot; {{ t.n_students }} student{{ "s" if t.n_students != 1 }} &middot; check-in {{ t.check_in }} ({{ t.check_ins_per_term }} a term) &middot; {{ "%g"|format(t.minutes_per_week) }} teacher minutes a week, {{ "%g"|format(t.minutes_per_term) }} a term; {{ "%g"|format(t.targeted_minutes_per_week) }} a week in small groups, pairs or one to one</p>
<p>{{ t.description }}</p>
<h2>Focus areas</h2>
{% if focus %}<ul>{% for f in focus %}<li>{{ f }}</li>{% endfor %}</ul>{% else %}<p>None stands out for this group: keep what works and build on their strengths.</p>{% endif %}
<h2>Strengths to build on</h2>
{% if strengths %}<ul>{% for s in strengths %}<li>{{ s }}</li>{% endfor %}</ul>{% else %}<p>None stands out compared with all the students surveyed.</p>{% endif %}
<h2>What the teacher does</h2>
<table class="tmpl"><tr><th style="width:34%">Strategy</th><th>Who</th><th>Min/week</th><th style="width:17%">How we will know it works</th><th style="width:30%">Evidence</th></tr>
{% for s in strategies %}<tr><td><strong>{{ s.title }}</strong>{% if s.id == t.stretch_strategy %} (stretch){% endif %}<br>{{ s.description }}{% if s.caution %}<br><em>Caution: {{ s.caution }}</em>{% endif %}</td>
<td>{{ grouping[s.grouping] }}</td><td>{{ "%g"|format(s.minutes_per_week) }}{% if s.minutes_note %}<br><span class="small">{{ s.minutes_note }}</span>{% endif %}</td><td>{{ s.success }}</td><td class="small">{{ s.evidence }} [{{ s.mark }}]{% if s.dose %}<br>Dose in the studies: {{ s.dose }}{% endif %}{% if s.measured %}<br>Measured: {{ s.measured }}{% endif %}</td></tr>
{% endfor %}</table>
<p class="small">Whole-class items reach everyone and are not differentiation. Evidence figures such as EEF "months of progress" are average effects of a whole approach across studies, not a prediction for one student. Each student's plan adds a personal layer they co-write; students whose answers fit the profile poorly are flagged for a conversation first.</p></div>
"""

# to the student: no profile name, fit value, flag or teacher minutes
_PLAN_BODY = """<h1>My learning plan{% if name %}: {{ name }}{% endif %}</h1>
<p class="meta">Your code: <strong>{{ p.pseudonym }}</strong>{% if dates %} &middot; from {{ dates.start }} to {{ dates.review }}{% endif %}</p>
{% if words %}<h2>What you told us, in your words</h2>{% for w in words %}<p class="quote">"{{ w }}"</p>{% endfor %}{% endif %}
<h2>Your goal</h2>
{% if p.goal %}<p class="quote">"{{ p.goal }}"</p>{% else %}<p>Not written yet: write it on your co-writing sheet.</p>{% endif %}
{% if p.how_i_know %}<p>How you will know it is working: <span class="quote">"{{ p.how_i_know }}"</span></p>{% endif %}
{% if chosen or p.own_idea %}<h2>What you chose to try</h2><ul>{% for s in chosen %}<li>{{ s.for_student }}</li>{% endfor %}{% if p.own_idea %}<li>Your own idea: "{{ p.own_idea }}"</li>{% endif %}</ul>{% endif %}
<h2>What we will do together</h2>
<ul>{% for s, who in strategies %}<li>{{ s.for_student }} <span class="small">({{ who }})</span>{% if s.id == p.goal_strategy and p.goal %} &ndash; for your goal{% endif %}</li>{% endfor %}</ul>
{% if p.who_can_help %}<p>Who can help: "{{ p.who_can_help }}"</p>{% endif %}
<h2>When we check</h2>
<p>We will check how it is going {{ rhythm }}{% if dates %}: {{ dates.check_ins|join(", ") }}{% endif %}. At the end we look back together{% if dates %} ({{ dates.review }}){% endif %}.</p>
"""

_REFLECTION_BODY = """<h1>My learning plan: let's write it together{% if name %} &middot; {{ name }}{% endif %}</h1>
<p class="meta">Your code: <strong>{{ p.pseudonym }}</strong> &middot; keep the code on this sheet, or type it into the form &middot; this is not marked</p>
<h2>What you told us</h2>
{% if words %}<p>In your own words:</p>{% for w in words %}<p class="quote">"{{ w }}"</p>{% endfor %}{% endif %}
{% if strengths %}<p>Going well for you: {{ strengths|join("; ") }}.</p>{% else %}<p>What is going well for you? ______________________________________________</p>{% endif %}
{% if needs %}<p>Where a bit more help could make a difference: {{ needs|join("; ") }}.</p>{% endif %}
{% if moved %}<p>Since last time: {% for m in moved %}{{ m }}{% if not loop.last %}; {% endif %}{% endfor %}.</p>{% endif %}
<h2>Things that might help: tick, cross, or write your own</h2>
<ol class="choices">{% for s in offered %}<li>{{ s.for_student }}{% if s.id in p.chosen %} (you chose this){% endif %}<span class="tick"></span>yes, I'll try it<span class="tick"></span>no, not for me</li>{% endfor %}</ol>
<p>Or my own idea: ____________________________________________________________</p>
<h2>My goal</h2>
{% if p.previous_goal %}<p>Last time you wrote: "{{ p.previous_goal }}". How did it go?<span class="tick"></span>yes<span class="tick"></span>partly<span class="tick"></span>not yet</p>{% endif %}
{% if p.goal %}<p>Your goal so far: "{{ p.goal }}" (keep it, change it or write a new one)</p>{% endif %}
<div class="box small"></div>
<h2>What I will try</h2>
<div class="box small"></div>
<h2>How I will know it is working</h2>
{% if p.how_i_know %}<p>Last time you wrote: "{{ p.how_i_know }}"</p>{% endif %}
<div class="box small"></div>
<h2>Who can help</h2>
<div class="box small"></div>
<h2>When we check</h2>
<p>We will check how it is going {{ rhythm }}{% if dates %}, starting {{ dates.start }}; we look back together on {{ dates.review }}{% endif %}.</p>
<h2>Does this describe you?</h2>
<p><span class="tick"></span>yes<span class="tick"></span>partly<span class="tick"></span>no &nbsp; If not, what did we get wrong? ____________________________</p>
"""

_PACK_BODY = """<div class="page">
<h1>Class pack: {{ group }}</h1>
<p class="meta">For the teacher{% if dates %} &middot; cycle {{ dates.start }} to {{ dates.review }}{% endif %} &middot; {{ rows|length }} student{{ "s" if rows|length != 1 }}</p>
<table><tr><th>#</th><th>{{ "Student" if named else "Code" }}</th><th>Profile</th><th>Talk first</th><th>Goal</th><th>Check-in</th></tr>
{% for r in rows %}<tr><td>{{ loop.index }}</td><td><a href="#{{ r.anchor }}">{{ r.label }}</a></td><td>{{ r.p.profile_name }}</td><td>{{ "yes" if r.p.flagged else "" }}</td><td>{{ r.p.goal }}</td><td>{{ r.p.check_in }}</td></tr>
{% endfor %}</table>
</div>
{% for t in templates %}<div class="page">{{ t }}</div>
{% endfor %}
{% for r in rows %}<div class="page" id="{{ r.anchor }}">
<h1>Plan: {{ r.label }}</h1>
<p class="meta">For the teacher &middot; {% if r.groups %}{{ r.groups }} &middot; {% endif %}profile: {{ r.p.profile_name }}{% if r.certainty %} (fit {{ r.certainty }}){% endif %} &middot; check-in {{ r.p.check_in }} &middot; about {{ "%g"|format(r.p.minutes) }} teacher minutes a term for the personal layer{% if r.p.profile_change %} &middot; since last cycle: {{ r.p.profile_change }}{% endif %}</p>
<p><strong>Start:</strong> {{ dates.start if dates else "__________" }} &nbsp; <strong>Review:</strong> {{ dates.review if dates else "__________" }} ({{ weeks }} weeks later)</p>
{% if r.p.flagged %}<div class="flag">{{ r.p.flag_reason }}</div>{% endif %}
{% if r.words %}<h2>In their words</h2>{% for w in r.words %}<p class="quote">"{{ w }}"</p>{% endfor %}{% endif %}
<h2>Personal layer</h2>
{% if r.layer %}<ul>{% for line in r.layer %}<li>{{ line }}</li>{% endfor %}</ul>{% else %}<p>Nothing of their own yet: the co-writing sheet asks for it.</p>{% endif %}
<h2>Strategies and how we will know they work</h2>
<table><tr><th>Strategy</th><th>Who</th><th>How we will know it works</th></tr>
{% for s in r.strategies %}<tr><td>{{ s.title }}{% if s.id == r.p.added_strategy %} (added for this student){% endif %}</td><td>{{ grouping[s.grouping] }}</td><td>{{ s.success }}</td></tr>
{% endfor %}</table>
<h2>Check-in log</h2>
<table class="log"><tr><th style="width:18%">Date</th><th>What we talked about</th><th style="width:30%">Next step</th></tr>
{% for d in r.log_dates %}<tr><td>{{ d }}</td><td></td><td></td></tr>
{% endfor %}</table>
</div>
{% endfor %}
"""


@functools.lru_cache(maxsize=None)
def _compiled(source: str) -> jinja2.Template:
    return _ENV.from_string(source)


def _style(paper: str) -> Markup:
    if paper not in PAPERS:
        raise user_error(f"unknown paper size {paper!r}", value=paper, fix="use A4 or letter")
    return Markup(_STYLE % {"paper": PAPERS[paper]})


def _page(title: str, body: str, warning: str | None, paper: str = "A4") -> str:
    # body was rendered (and escaped) by its own template; Markup stops a second escape
    return _compiled(_BASE).render(title=title, style=_style(paper), body=Markup(body), warning=warning)


def _template_body(plans: PlanSet, profile: int) -> str:
    t = plans.template(profile)
    return _compiled(_TEMPLATE_BODY).render(
        t=t, grouping=_GROUPING,
        focus=[plans.describe(c, need=True) for c in t.focus],
        strengths=[plans.describe(c, need=False) for c in t.strengths],
        strategies=[plans.library.get(i) for i in t.strategies],
    )


def render_template_sheet(plans: PlanSet, profile: int, *, paper: str = "A4") -> str:
    """One printable HTML page for the teacher: a profile's template.

    Parameters
    ----------
    plans : PlanSet
    profile : int
    paper : {"A4", "letter"}, default="A4"

    Returns
    -------
    str
        A complete HTML document.
    """
    t = plans.template(profile)
    return _page(f"Plan template: {t.name}", _template_body(plans, profile), None, paper)


def _dates(plans: PlanSet, p: StudentPlan):
    if plans.start is None:
        return None
    fmt = "%d %b %Y"
    return {"start": plans.start.strftime(fmt), "review": plans.review.strftime(fmt),
            "check_ins": [d.strftime("%d %b") for d in plans.check_in_dates(p.check_in)]}


def render_plan_sheet(plans: PlanSet, pseudonym: str, *, name: str | None = None, paper: str = "A4") -> str:
    """One printable HTML page for the student: my learning plan, as agreed, written to "you".

    It shows their words quoted whole, their goal and how they will know, what they chose,
    what we will do together (in the library's ``student_title`` words, with who it is for), and
    when we check. It never shows a profile name, a fit value, a flag or teacher minutes: those
    are in the teacher's class pack (:func:`render_class_pack`).

    Parameters
    ----------
    plans : PlanSet
    pseudonym : str
    name : str, optional
        The student's name, shown in the heading (the teacher's private copy only; see
        :func:`write_named_sheets`). A note for the teacher shows on screen and is not printed.
    paper : {"A4", "letter"}, default="A4"

    Returns
    -------
    str
    """
    p = plans.plan(pseudonym)
    lib = plans.library
    body = _compiled(_PLAN_BODY).render(
        p=p, name=name, words=student_words(p), dates=_dates(plans, p),
        chosen=[lib.get(i) for i in p.chosen],
        strategies=[(lib.get(i), _STUDENT_GROUPING[lib.get(i).grouping]) for i in p.strategies if i not in p.crossed],
        rhythm=_STUDENT_RHYTHM.get(p.check_in, p.check_in),
    )
    return _page(f"My learning plan {p.pseudonym}", body, _NAMED_STUDENT_WARNING if name else None, paper)


def student_words(p: StudentPlan) -> list[str]:
    """The student's own answers, each whole, from ``in_my_words``."""
    text = p.in_my_words
    prefix = "In my words: "
    if text.startswith(prefix):
        text = text[len(prefix):]
    text = text.strip()
    if text.startswith('"') and text.endswith('"'):
        text = text[1:-1]
    return [w for w in text.split('"; "') if w.strip()] if text else []


def _student_terms(plans: PlanSet, keys) -> list[str]:
    tag = {c.key: c.tag for c in plans.codebook.constructs}
    return [plans.library.student_label(tag.get(k, k)) for k in keys]


def _moved(plans: PlanSet, p: StudentPlan) -> list[str]:
    better = {c.key: c.higher_is_better for c in plans.codebook.constructs}
    out = []
    for key, delta in p.moved.items():
        label = _student_terms(plans, [key])[0]
        up = (delta > 0) == better.get(key, True)
        out.append(f"{label}: {'better than' if up else 'harder than'} last time")
    return out


def render_reflection_sheet(plans: PlanSet, pseudonym: str, *, name: str | None = None, paper: str = "A4") -> str:
    """One printable HTML page for the student: the co-writing sheet.

    What you told us (their words quoted whole; what is going well and where a bit more help
    could make a difference, at most two each, in the library's ``student_tags`` words, a
    preference never shown as a need; what moved since last time after a re-survey); two or three
    things that might help, numbered as in the form, to tick, cross or replace with their own
    idea; my goal (and, at a re-survey, how the last one went); what I will try; how I will know
    it is working; who can help; when we check; does this describe you (yes / partly / no). No
    profile name, fit value, flag or teacher minutes. The code lets the answers come back
    (``toolkit plans import``).

    Parameters
    ----------
    plans : PlanSet
    pseudonym : str
    name : str, optional
        The student's name (teacher's private copy only; see :func:`render_plan_sheet`).
    paper : {"A4", "letter"}, default="A4"

    Returns
    -------
    str
    """
    p = plans.plan(pseudonym)
    own_needs, own_strengths = [], []
    if p.pseudonym in plans.needs.index:
        from .needs import mask_preferences

        min_need = float(plans.settings.get("personal_min_need", 0.5))
        needs = plans.needs.loc[[p.pseudonym]]
        masked = mask_preferences(needs, plans.codebook, plans.library.preference_tags).iloc[0].dropna()
        raw = needs.iloc[0].dropna()
        own_needs = list(masked[masked > min_need].sort_values(ascending=False, kind="stable").index[:2])
        own_strengths = list(raw[raw < -min_need].sort_values(kind="stable").index[:2])
    body = _compiled(_REFLECTION_BODY).render(
        p=p, name=name, words=student_words(p), dates=_dates(plans, p),
        strengths=_student_terms(plans, own_strengths), needs=_student_terms(plans, own_needs),
        moved=_moved(plans, p),
        offered=[plans.library.get(i) for i in p.offered],
        rhythm=_STUDENT_RHYTHM.get(p.check_in, p.check_in),
    )
    return _page(f"My learning plan, to write together {p.pseudonym}", body, _NAMED_STUDENT_WARNING if name else None, paper)


def pack_groups(plans: PlanSet, by: str | None = None) -> dict[str, list[str]]:
    """Pseudonyms by class-pack group: by ``by`` (default the first of Section, Class, Grade that
    the plans carry), each kept student once; "all" when the plans carry no group column."""
    cols = list(plans.group_columns)
    if by is None:
        by = next((c for want in ("section", "class", "grade") for c in cols if c.casefold() == want), None)
    elif by not in cols:
        raise user_error(f"the plans carry no group column '{by}'", column=by,
                         fix=f"use one of: {', '.join(cols) or 'none (give the responses with their group columns)'}")
    out: dict[str, list[str]] = {}
    for p in plans.plans:
        key = (p.groups.get(by, "") if by else "") or ("all" if by is None else "(no value)")
        out.setdefault(key, []).append(p.pseudonym)
    return dict(sorted(out.items()))


def render_class_pack(plans: PlanSet, pseudonyms, *, group: str = "all", names: Mapping[str, str] | None = None,
                      paper: str = "A4") -> str:
    """One printable HTML file for the teacher: a class or section's plans.

    An index (sorted by name when ``names`` is given, else by pseudonym), the template sheets of
    the profiles in it, then one page per student: profile and fit, the talk-first flag, start
    and review dates (blank lines to fill in without a start date), their words, the personal
    layer, each strategy with its grouping and how we will know it works, and a check-in log
    (date, what we talked about, next step) with a row per check-in of the cycle.

    Parameters
    ----------
    plans : PlanSet
    pseudonyms : iterable of str
        The students of the pack (see :func:`pack_groups`).
    group : str
        The pack's name (the section, say), in its heading.
    names : Mapping, optional
        Pseudonym -> name, for the teacher's private copy only.
    paper : {"A4", "letter"}, default="A4"
    """
    names = dict(names or {})
    lib = plans.library
    rows = []
    for pid in pseudonyms:
        p = plans.plan(pid)
        dates = _dates(plans, p)
        n_log = max(len(dates["check_ins"]) if dates else p.check_in and plans.costs.check_ins_per_term(p.check_in), 1)
        rows.append({
            "p": p, "label": names.get(pid, pid), "anchor": "s-" + sheet_filename(pid)[:-5],
            "certainty": f"{p.certainty:.2f}" if p.certainty == p.certainty else "",
            "groups": ", ".join(f"{k} {v}" for k, v in p.groups.items() if v),
            "words": student_words(p), "layer": plans.personal_layer(pid),
            "strategies": [lib.get(i) for i in p.strategies],
            "log_dates": dates["check_ins"] if dates else [""] * n_log,
        })
    rows.sort(key=lambda r: (str(r["label"]).casefold(), r["p"].pseudonym))
    profiles = sorted({r["p"].profile for r in rows})
    body = _compiled(_PACK_BODY).render(
        group=group, rows=rows, named=bool(names), grouping=_GROUPING, weeks=int(plans.costs.term_weeks),
        dates=_dates(plans, rows[0]["p"]) if rows else None,
        templates=[Markup(_template_body(plans, k)) for k in profiles],
    )
    return _page(f"Class pack: {group}", body, _NAMED_TEACHER_WARNING if names else None, paper)


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


def _pack_index(packs: dict, title: str = "Class packs") -> str:
    items = "".join(f'<li><a href="{sheet_filename(g)}">{jinja2.utils.markupsafe.escape(g)}</a> '
                    f'({count(len(v), "student")})</li>' for g, v in packs.items())
    return _page(title, f"<h1>{title}</h1><p class=\"meta\">For the teacher: one printable file per group.</p><ul>{items}</ul>", None)


def write_plan_files(plans: PlanSet, folder: str | Path, *, paper: str = "A4", pack_by: str | None = None) -> list[Path]:
    """Write plans.csv, templates.csv, templates.md, the form's questions, every sheet and the class packs.

    Nothing here holds a name: student files are named by pseudonym. Use it inside
    :func:`toolkit._atomic.atomic_output_dir` so that a failure writes nothing.

    Parameters
    ----------
    plans : PlanSet
    folder : path
    paper : {"A4", "letter"}, default="A4"
    pack_by : str, optional
        The group column of the class packs (default Section, else Class, else Grade).

    Returns
    -------
    list of Path
        The files written, in the order written.
    """
    folder = Path(folder)
    _check_filenames(plans)
    _style(paper)
    packs = pack_groups(plans, pack_by)
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
    put("form-questions.txt", form_questions(plans))
    put("answers-template.csv", ",".join(ANSWER_FIELDS) + "\n"
        + "".join(p.pseudonym + "," * (len(ANSWER_FIELDS) - 1) + "\n" for p in plans.plans))
    for t in plans.templates:
        put(f"sheets/template-{t.profile}.html", render_template_sheet(plans, t.profile, paper=paper))
    for p in plans.plans:
        put(f"sheets/{sheet_filename(p.pseudonym)}", render_plan_sheet(plans, p.pseudonym, paper=paper))
        put(f"reflections/{sheet_filename(p.pseudonym)}", render_reflection_sheet(plans, p.pseudonym, paper=paper))
    for g, pids in packs.items():
        put(f"pack/{sheet_filename(g)}", render_class_pack(plans, pids, group=g, paper=paper))
    put("pack/index.html", _pack_index(packs))
    return written


def write_named_sheets(plans: PlanSet, names: Mapping[str, str], folder: str | Path, *, paper: str = "A4",
                       pack_by: str | None = None) -> list[Path]:
    """Write name-bearing student sheets and class packs for the teacher's own use.

    Parameters
    ----------
    plans : PlanSet
    names : Mapping
        Pseudonym -> the student's name (from the teacher's roster). Students without a plan are
        ignored; plans without a name get no page here.
    folder : path
        A folder the teacher owns and keeps private. The file names stay the pseudonyms.
    paper, pack_by
        As in :func:`write_plan_files`.

    Returns
    -------
    list of Path

    Notes
    -----
    The student sheets show the name in their heading and nothing else about privacy on paper:
    they are handed to the student. The note for the teacher shows on screen only (it is in a
    ``noprint`` block). The class packs, for the teacher, sort students by name and say on paper
    that they hold names.
    """
    folder = Path(folder)
    _check_filenames(plans)
    written = []
    known = {p.pseudonym for p in plans.plans}
    named = {k: str(v) for k, v in names.items() if k in known}
    for pid in sorted(named):
        for sub, render in (("plans", render_plan_sheet), ("reflections", render_reflection_sheet)):
            path = folder / sub / sheet_filename(pid)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(render(plans, pid, name=named[pid], paper=paper), encoding="utf-8", newline="\n")
            written.append(path)
    for g, pids in pack_groups(plans, pack_by).items():
        pids = [p for p in pids if p in named]
        if pids:
            path = folder / "pack" / sheet_filename(g)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(render_class_pack(plans, pids, group=g, names=named, paper=paper), encoding="utf-8", newline="\n")
            written.append(path)
    readme = folder / "README-PRIVATE.txt"
    readme.write_text(
        "This folder holds students' names next to their plans. Keep it private to the teacher: do not\n"
        "share it, copy it into a shared drive, or use it in any report. Delete it at the end of the term.\n"
        "The sheets in plans/ and reflections/ are for handing to each student; the class packs in pack/\n"
        "are for you.\n",
        encoding="utf-8",
    )
    written.append(readme)
    return written
