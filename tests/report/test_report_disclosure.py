"""Cross-table suppression: no hidden count on the report page comes back from combining its tables.

The attacker here is written independently of toolkit.report.disclosure: it reads only the tables
as the report shows them (text, "hidden" included), knows how they relate (each table's rows sum to
its total; the same group is the same students in "Who responded" and in the transfer table; a
profile's size is its students in both waves plus those who missed the second wave), and bounds
every hidden or derived count by linear programming.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy.optimize import linprog

from toolkit import report
from toolkit.suppression import HIDDEN


@pytest.fixture(scope="module", params=[10, 20], ids=["min_cell=10", "min_cell=20 (small groups)"])
def page(request, sample_dir, tmp_path_factory):
    import os
    import warnings

    os.environ.setdefault("TOOLKIT_KEY_FILE", str(tmp_path_factory.mktemp("key") / "pseudonym.key"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        r = report.assemble(sample_dir / "survey_export.csv", sample_dir / "codebook.yml",
                            wave2_path=sample_dir / "survey_export_wave2.csv", models=[1], n_profiles=[1, 2, 3, 4],
                            n_starts=10, seed=3, min_cell=request.param)
    p = r.plan
    tables = {
        "exclusions": report.exclusions(r.clean, plan=p),
        "profiles": report.profile_overview(r.solution, r.codebook, plan=p),
        "transfer": report.transfer_overview(r.study.transfer, plan=p),
        "transitions": report.transitions_overview(r.study.transitions, plan=p),
    }
    for column in r.codebook.group_columns:
        tables[f"who:{column}"] = report.who_responded(r.clean.responses, column, plan=p)
    return r, tables


class _Attacker:
    """Unknown counts as LP variables; shown counts as constants; relations as equalities."""

    def __init__(self):
        self.index, self.known, self.rows = {}, {}, []

    def cell(self, name, text):
        if text == HIDDEN:
            self.index.setdefault(name, len(self.index))
        else:
            value = int(text)
            if name in self.known:
                assert self.known[name] == value, f"{name} shown as {self.known[name]} and as {value}"
            self.known[name] = value
        return name

    def unknown(self, name):
        self.index.setdefault(name, len(self.index))
        return name

    def relate(self, total, parts):
        self.rows.append((total, list(parts)))

    def bounds(self, name):
        n = len(self.index)
        A, b = [], []
        for total, parts in self.rows:
            a, rhs = np.zeros(n), 0.0
            for sign, key in [(-1.0, total)] + [(1.0, q) for q in parts]:
                if key in self.known and key not in self.index:
                    rhs -= sign * self.known[key]
                else:
                    a[self.index[key]] += sign
            if a.any():
                A.append(a), b.append(rhs)
        c = np.zeros(n)
        c[self.index[name]] = 1.0
        lo = linprog(c, A_eq=np.array(A), b_eq=np.array(b), bounds=(0, None), method="highs")
        hi = linprog(-c, A_eq=np.array(A), b_eq=np.array(b), bounds=(0, None), method="highs")
        assert lo.status == 0, "the shown tables contradict each other"
        return lo.fun, (np.inf if hi.status == 3 else -hi.fun)


def _attack(r, tables):
    att = _Attacker()
    kept = att.cell("kept", tables["exclusions"].loc["kept for analysis", "students"])
    ex = tables["exclusions"]
    att.relate(att.cell("read", ex.loc["rows read", "students"]),
               [kept] + [att.cell(("left out", lab), ex.loc[lab, "students"]) for lab in ex.index if lab.startswith("left out")])
    for column in r.codebook.group_columns:
        t = tables[f"who:{column}"]
        att.relate(kept, [att.cell((column, v), t.loc[v, "students"]) for v in t.index if v != "All students"])
    for (g, v), row in tables["transfer"].iterrows():  # the same students as "Who responded"
        att.cell((g, v), row["students"])
    prof = tables["profiles"]
    scored = att.cell("scored", str(int(r.solution.sizes.sum())))  # stated in words on the page
    att.relate(scored, [att.cell(("profile", k), prof.loc[k, "students"]) for k in prof.index])
    tr = tables["transitions"]
    if len(tr):
        ks = [k for k in tr.index if k != "all"]
        both = att.cell("both", tr.loc["all", "students in both waves"])
        for col in ("stayed", "moved"):
            att.relate(att.cell(("all", col), tr.loc["all", f"students who {col}"]),
                       [att.cell((k, col), tr.loc[k, f"students who {col}"]) for k in ks])
        att.relate(both, [att.cell((k, "both"), tr.loc[k, "students in both waves"]) for k in ks])
        for k in ks:
            att.relate((k, "both"), [(k, "stayed"), (k, "moved")])
            att.relate(("profile", int(k)), [(k, "both"), att.unknown((k, "wave 1 only"))])
    return att


def test_no_hidden_or_derived_small_count_is_pinned_or_narrowed_below_the_minimum_by_all_tables(page):
    r, tables = page
    att = _attack(r, tables)
    assert any(True for _ in att.index), "nothing hidden: the test would prove nothing"
    pinned = []
    for name in att.index:
        lo, hi = att.bounds(name)
        true = _true_value(r, name)
        # Recovered when pinned to one whole number, or narrowed below the minimum cell (known to be small).
        if true is not None and 0 < true < r.min_cell and (np.floor(hi + 1e-9) - np.ceil(lo - 1e-9) < 1
                                                           or hi < r.min_cell):
            pinned.append((name, true, lo, hi))
    assert pinned == []


def test_no_count_shown_in_one_table_is_hidden_in_another(page):
    r, tables = page
    who = {(c, v): tables[f"who:{c}"].loc[v, "students"] for c in r.codebook.group_columns
           for v in tables[f"who:{c}"].index if v != "All students"}
    for (g, v), row in tables["transfer"].iterrows():
        assert row["students"] == who[(g, v)], (g, v)


def test_every_pair_of_tables_leaves_every_small_count_hidden(page):
    """Pairs too: no two tables together show a small count, or give it by subtraction."""
    r, tables = page
    for a, b in itertools.combinations(tables, 2):
        for name, text in itertools.chain(*(t.astype(str).stack().items() for t in (tables[a], tables[b]))):
            if text.isdigit() and name[-1] in ("students", "students in both waves", "students who stayed",
                                               "students who moved"):
                assert not (0 < int(text) < r.min_cell), (a, b, name, text)


def test_hidden_cells_have_a_footnote_saying_why(page):
    r, tables = page
    t = tables["who:Gender"]
    assert (t == HIDDEN).to_numpy().any()
    assert f"fewer than {r.min_cell} students" in report.hidden_footnote(t, r.min_cell)
    assert report.hidden_footnote(tables["who:Grade"].replace(HIDDEN, "0"), r.min_cell) == ""


def _true_value(r, name):
    """The true count behind an attacker's variable, from the pipeline's own objects (never shown)."""
    disc = r.clean.disclosure
    if name == "read":
        return int(disc.rows["read"])
    if isinstance(name, tuple) and name[0] == "left out":
        return int(dict(disc.exclusions)[name[1].removeprefix("left out: ")])
    if isinstance(name, tuple) and name[0] == "profile":
        return int(r.solution.sizes[int(name[1])])
    if isinstance(name, tuple) and name[0] in r.codebook.group_columns:
        return int(r.clean.responses[name[0]].astype("string").fillna("(not answered)").eq(name[1]).sum())
    if isinstance(name, tuple) and len(name) == 2 and r.transitions is not None:
        t = r.transitions.set_index("wave1_profile")
        k, what = name
        if what == "wave 1 only":
            return int(r.solution.sizes[int(k)]) - int(t.loc[k, "n"])
        return int(t.loc[k, {"both": "n", "stayed": "stayed", "moved": "changed"}[what]])
    return None
