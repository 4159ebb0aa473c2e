"""Build the leadership report: run the notebook, render self-contained HTML, record provenance."""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import html
import json
import os
import platform
import shutil
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Iterable, Sequence


from .._atomic import atomic_output_dir, check_output_dir
from ..config import DEFAULT_SEED, KEY_FILE_ENV, MIN_CELL, PACKAGE_DATA, PROJECT_ROOT, default_key_file
from .._validation import check_k_range, check_min_cell, check_models
from ..errors import ToolkitError, user_error
from .saved import read_saved


__all__ = ["ReportResult", "build_report", "report_notebook", "provenance", "render_html", "print_pdf",
           "chromium_path"]

#: Where the report notebook lives: the project's notebooks/ folder (one source, found through
#: the editable install), or a copy shipped as package data in a regular install.
NOTEBOOK_CANDIDATES = (
    PROJECT_ROOT / "notebooks" / "report.ipynb",
    PACKAGE_DATA.parent / "notebooks" / "report.ipynb",
)
# ---------------------------------------------------------------------------------------------
# Provenance and HTML
# ---------------------------------------------------------------------------------------------
def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 16), b""):
            h.update(block)
    return h.hexdigest()


def _run_date() -> str:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            when = _dt.datetime.fromtimestamp(int(epoch), _dt.timezone.utc)
        except ValueError:
            raise user_error("SOURCE_DATE_EPOCH must be whole seconds since 1970", value=epoch,
                             fix="unset it, or set it to a number such as 1767225600") from None
    else:
        when = _dt.datetime.now(_dt.timezone.utc)
    return when.replace(microsecond=0).isoformat()


def provenance(inputs: dict, parameters: dict, *, seed: int, date: str | None = None) -> dict:
    """What a reader needs to reproduce the report.

    Parameters
    ----------
    inputs : dict
        Role -> path of each input file (``export``, ``codebook``, ``wave2``, ``workload``); None
        values are left out.
    parameters : dict
        The notebook's parameters (plain values).
    seed : int
    date : str, optional
        ISO 8601 UTC time of the run. Default: ``$SOURCE_DATE_EPOCH`` when set (the
        reproducible-builds convention, so that the same inputs give a byte-identical
        ``provenance.json``), else now.

    Returns
    -------
    dict
        ``toolkit_version``, ``python``, ``date``, ``seed``, ``inputs`` (role -> file name and
        SHA-256; never the folder, which may name a person), ``parameters``.
    """
    from .. import __version__

    files = {}
    for role, path in inputs.items():
        if path is None:
            continue
        path = Path(path)
        files[role] = {"file": path.name, "sha256": _sha256(path)}
    return {
        "toolkit_version": __version__,
        "python": platform.python_version(),
        "date": date or _run_date(),
        "seed": int(seed),
        "inputs": files,
        "parameters": parameters,
    }


class _Headings(HTMLParser):
    """Collect (id, text) of the <h2> headings of an nbconvert page."""

    def __init__(self):
        super().__init__()
        self.found: list[tuple[str, str]] = []
        self._id = None
        self._text: list[str] = []
        self._in_anchor = False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "h2":
            self._id, self._text = a.get("id"), []
        elif tag == "a" and self._id is not None and "anchor-link" in (a.get("class") or ""):
            self._in_anchor = True

    def handle_endtag(self, tag):
        if tag == "a":
            self._in_anchor = False
        elif tag == "h2" and self._id is not None:
            self.found.append((self._id, "".join(self._text).strip()))
            self._id = None

    def handle_data(self, data):
        if self._id is not None and not self._in_anchor:
            self._text.append(data)


_TEMPLATE = r"""{%- extends 'lab/index.html.j2' -%}
{#- No script is loaded from the internet: the page is read offline, and it holds no code. -#}
{%- block html_head_js -%}{%- endblock html_head_js -%}
{%- block jupyter_widgets -%}{%- endblock jupyter_widgets -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
{%- block extra_css -%}
<style type="text/css">
  body { max-width: 62rem; margin: 0 auto; padding: 0 1.5rem; }
  nav#toc, section#provenance { font-family: var(--jp-ui-font-family, system-ui, sans-serif); }
  nav#toc { border: 1px solid #ccc; border-radius: 4px; padding: 0.5rem 1.5rem; margin: 1rem 0; }
  nav#toc h2 { font-size: 1.1rem; margin: 0.3rem 0; }
  section#provenance { border-top: 2px solid #888; margin-top: 2rem; padding-top: 0.5rem; font-size: 0.9rem; }
  section#provenance td, section#provenance th { text-align: left; padding: 0.1rem 0.6rem; vertical-align: top; }
  .jp-OutputArea-output table { font-size: 0.9rem; }
  section#answer { border: 3px solid #0072B2; border-radius: 6px; padding: 0.4rem 1.2rem; margin: 0.8rem 0;
                   background: #f2f8fc; font-family: var(--jp-ui-font-family, system-ui, sans-serif); }
  section#answer h2 { margin: 0.3rem 0; font-size: 1.25rem; }
  section#answer .verdict { font-size: 1.15rem; line-height: 1.4; }
  .appendix-start { border-top: 3px double #888; margin-top: 2rem; }
  /* Cells that only compute show nothing: no empty gap above the answer. */
  .jp-CodeCell:not(:has(.jp-OutputArea-output)) { display: none; }
  /* Printing: the page is also the PDF written beside it. */
  @page { size: Letter; margin: 16mm 14mm 18mm 14mm;
          @bottom-center { content: "Page " counter(page) " of " counter(pages); font-size: 9pt; color: #555; } }
  @media print {
    body { max-width: none; padding: 0; font-size: 10pt; }
    * { overflow: visible !important; }
    nav#toc { display: none; }
    .jp-Cell, .jp-OutputArea-output, .jp-RenderedHTMLCommon { padding: 0 !important; margin: 0 !important; }
    .jp-Cell-outputWrapper, .jp-OutputArea-child { margin: 0.15rem 0 !important; }
    table { width: 100% !important; max-width: 100% !important; table-layout: auto; font-size: 8.5pt !important; }
    td, th { overflow-wrap: normal; word-break: normal; hyphens: auto; padding: 0.1rem 0.35rem !important; }
    td:last-child { overflow-wrap: anywhere; }  /* a long source or web address wraps; words elsewhere stay whole */
    tr, img, section#answer, li { break-inside: avoid; }
    img { max-width: 100% !important; height: auto !important; max-height: 95mm; }
    h2, h3, h4 { break-after: avoid; }
    .appendix-start { break-before: page; border: 0; margin: 0; }
    section#provenance { font-size: 8pt; }
  }
</style>
{%- endblock extra_css -%}
{%- block data_png scoped -%}
{#- The alt text comes from the figure's metadata (toolkit.report.figure), never nbconvert's default. -#}
<div class="jp-RenderedImage jp-OutputArea-output {{ extra_class }}">
<img src="data:image/png;base64,{{ output.data['image/png'] | escape_html }}" alt="{{ output.metadata.get('image/png', {}).get('alt', output.metadata.get('alt', '')) | escape_html }}">
</div>
{%- endblock data_png -%}
{%- block body_header -%}
{{ super() }}
<!-- toolkit:toc -->
{%- endblock body_header -%}
{%- block body_footer -%}
<!-- toolkit:provenance -->
{{ super() }}
{%- endblock body_footer -%}
"""


def _provenance_html(prov: dict) -> str:
    def row(k, v):
        return f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>"

    rows = [row("toolkit version", prov["toolkit_version"]), row("Python", prov["python"]),
            row("date (UTC)", prov["date"]), row("seed", prov["seed"])]
    for role, f in prov["inputs"].items():
        rows.append(row(f"{role} file", f"{f['file']} (SHA-256 {f['sha256']})"))
    for k, v in prov["parameters"].items():
        rows.append(row(f"parameter {k}", json.dumps(v) if not isinstance(v, str) else v))
    return (
        '<section id="provenance">\n<h2 id="Provenance">Provenance</h2>\n'
        "<p>How this report was made. Anyone with the same files (same SHA-256), the same toolkit "
        "version, parameters and seed gets the same numbers.</p>\n"
        "<table>\n" + "\n".join(rows) + "\n</table>\n</section>"
    )


def render_html(notebook, prov: dict | None = None) -> str:
    """Convert an executed report notebook to one self-contained HTML page.

    Parameters
    ----------
    notebook : nbformat.NotebookNode
        The executed notebook.
    prov : dict, optional
        From :func:`provenance`; shown at the end of the page.

    Returns
    -------
    str
        HTML with no code cells and no prompts, figures as ``data:`` URIs, no external scripts,
        a table of contents built from the second-level headings, and the provenance block.
    """
    import copy

    from jinja2 import DictLoader
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    nb = copy.deepcopy(notebook)
    for cell in nb.cells:  # warnings and progress bars are for the person running it, not the page
        if cell.get("cell_type") == "code":
            cell["outputs"] = [o for o in cell.get("outputs", [])
                               if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
    exporter = HTMLExporter(
        extra_loaders=[DictLoader({"toolkit_report.html.j2": _TEMPLATE})],
        template_file="toolkit_report.html.j2",
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,
    )
    tags = TagRemovePreprocessor(remove_cell_tags={"remove-cell"}, remove_all_outputs_tags={"remove-output"})
    exporter.register_preprocessor(tags, enabled=True)
    body, _ = exporter.from_notebook_node(nb)
    if prov is not None:
        body = body.replace("<!-- toolkit:provenance -->", _provenance_html(prov), 1)
    parser = _Headings()
    parser.feed(body)
    items = "\n".join(f'<li><a href="#{html.escape(i, quote=True)}">{html.escape(t)}</a></li>'
                      for i, t in parser.found if i)
    toc = f'<nav id="toc" aria-label="Contents">\n<h2>Contents</h2>\n<ol>\n{items}\n</ol>\n</nav>'
    if "<!-- toolkit:after-answer -->" in body:  # the verdict first, then the contents
        body = body.replace("<!-- toolkit:toc -->", "", 1).replace("<!-- toolkit:after-answer -->", toc, 1)
        return body
    return body.replace("<!-- toolkit:toc -->", toc, 1)


def chromium_path() -> str | None:
    """The Chromium browser used to print the PDF, or None when it is not installed."""
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def print_pdf(html_path: str | os.PathLike, pdf_path: str | os.PathLike, *, timeout: float = 180) -> Path | None:
    """Print the report page to PDF with headless Chromium.

    Headless Chromium rather than a Python library (WeasyPrint, ...): it is the browser engine the
    principal prints from, so the PDF is what they would get from the page, and it adds no Python
    dependency. The page's print stylesheet sets the paper, margins and page numbers; the
    browser's own header and footer (which would print the file's folder) are turned off.

    Parameters
    ----------
    html_path, pdf_path : path
    timeout : float, default=180
        Seconds before printing is given up.

    Returns
    -------
    Path or None
        ``pdf_path``, or None when Chromium is not installed (then no PDF is written).

    Raises
    ------
    ToolkitError
        When Chromium fails or writes no PDF.
    """
    import subprocess
    import tempfile

    browser = chromium_path()
    if browser is None:
        return None
    html_path, pdf_path = Path(html_path).resolve(), Path(pdf_path).resolve()
    with tempfile.TemporaryDirectory(prefix="toolkit-chromium-") as profile:
        cmd = [browser, "--headless", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
               f"--user-data-dir={profile}", "--no-pdf-header-footer", "--print-to-pdf-no-header",
               f"--print-to-pdf={pdf_path}", html_path.as_uri()]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.insert(2, "--no-sandbox")  # Chromium refuses to run its sandbox as root
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise user_error("Chromium could not print the report to PDF", value=str(exc),
                             fix="check that Chromium starts (chromium --version), or print report.html from a browser") from None
    if done.returncode != 0 or not pdf_path.is_file() or pdf_path.stat().st_size == 0:
        raise user_error("Chromium could not print the report to PDF", value=(done.stderr or "")[-300:],
                         fix="check that Chromium starts (chromium --version), or print report.html from a browser")
    return pdf_path


# ---------------------------------------------------------------------------------------------
# The whole report
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ReportResult:
    """Where :func:`build_report` wrote its files.

    Attributes
    ----------
    out_dir : Path
    html : Path
        ``report.html``: the page for leadership.
    notebook : Path
        ``report.ipynb``: the executed notebook, parameters in ``metadata.papermill``.
    provenance : Path
        ``provenance.json``.
    parameters : dict
        The parameters the notebook ran with.
    pdf : Path or None
        ``report.pdf``, printed by headless Chromium; None when Chromium is not installed.
    """

    out_dir: Path
    html: Path
    notebook: Path
    provenance: Path
    parameters: dict
    pdf: Path | None = None


def report_notebook() -> Path:
    """The report notebook that :func:`build_report` executes.

    Returns
    -------
    Path
        ``notebooks/report.ipynb`` of the project (editable install), else the copy shipped in
        the package.
    """
    for path in NOTEBOOK_CANDIDATES:
        if path.is_file():
            return path
    raise user_error(
        "the report notebook is missing",
        file=NOTEBOOK_CANDIDATES[0],
        fix="install the toolkit from its source folder (pip install -e .) so that notebooks/ is found",
    )


def _existing(path, what: str, option: str) -> Path:
    p = Path(path).expanduser()
    if not p.is_file():
        raise user_error(f"the {what} does not exist", file=p, fix=f"check the path given to {option}")
    return p.resolve()


def _without_local_paths(nb, parameters: dict, source: Path, executed: Path):
    """The executed notebook with local folders removed from what papermill recorded.

    papermill writes the parameters into the notebook's metadata and an injected cell, with full
    paths: the key file's location and folders that may carry a user's or a school's name. The
    kept notebook names input files by their file name only (their SHA-256 is in the provenance)
    and the key file not at all.
    """
    import nbformat

    replace = {str(source): source.name, str(executed): executed.name}
    for name, value in parameters.items():
        if name.endswith("_path") and value:
            replace[str(value)] = Path(value).name
    # Longest first, so that a folder never replaces part of a longer path before it is seen.
    text = nbformat.writes(nb)
    for old in sorted(replace, key=len, reverse=True):
        text = text.replace(json.dumps(old)[1:-1], json.dumps(replace[old])[1:-1])
    return nbformat.reads(text, as_version=4)


@contextlib.contextmanager
def _environment(values: dict):
    """Set environment variables for the duration of a block (the report kernel inherits them)."""
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _pin_cell_ids(nb) -> None:
    """Give papermill's injected parameters cell a fixed id (papermill draws a random one), so
    that the same inputs give a byte-identical notebook and page."""
    for cell in nb.cells:
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell["id"] = "injected-parameters"


def _check_figures(nb) -> None:
    """Refuse a report in which a figure cell drew nothing (a figure lost to a kernel setting)."""
    for n, cell in enumerate(nb.cells):
        if cell.cell_type == "code" and "report.figure(" in cell.source:
            if not any("image/png" in o.get("data", {}) for o in cell.get("outputs", [])):
                raise ToolkitError(f"the report's figure in cell {n} came out empty, so the page would miss a figure; "
                                   "check that matplotlib is installed and run again (MPLBACKEND need not be set).")


def build_report(
    export: str | os.PathLike,
    codebook: str | os.PathLike,
    out_dir: str | os.PathLike,
    *,
    key_file: str | os.PathLike | None = None,
    min_cell: int = MIN_CELL,
    models: Sequence[int] = (1, 2, 3, 6),
    k: Iterable[int] = range(1, 7),
    seed: int = DEFAULT_SEED,
    wave2: str | os.PathLike | None = None,
    workload: str | os.PathLike | None = None,
    n_starts: int | None = None,
    progress: bool = True,
    date: str | None = None,
    pdf: bool = True,
    profiles: str | os.PathLike | None = None,
) -> ReportResult:
    """Run the whole pipeline on an export and write the leadership report.

    Parameters
    ----------
    export : path
        The survey export (Google Forms, Microsoft Forms, Qualtrics, CSV, Excel). Never changed.
    codebook : path
        Its codebook (YAML).
    out_dir : path
        Folder for ``report.html``, ``report.ipynb`` and ``provenance.json``; written all at
        once or not at all. It must not be the export's folder.
    key_file : path, optional
        The pseudonym key (created if missing). Default: ``$TOOLKIT_KEY_FILE`` or the user's
        configuration folder, outside the project.
    min_cell : int, default=10
        Smallest group shown; smaller counts are hidden (with complements).
    models : sequence of int, default=(1, 2, 3, 6)
        tidyLPA model numbers to compare.
    k : iterable of int, default=range(1, 7)
        Numbers of profiles to compare (any whole numbers of 1 or more, as for ``toolkit profiles``).
    seed : int, default=2024
    wave2 : path, optional
        A later wave of the same survey (profile changes between waves).
    workload : path, optional
        Workload assumptions (YAML); default the shipped ones.
    n_starts : int, optional
        Random starts of each profile fit (the estimator's default when None).
    progress : bool, default=True
        Show papermill's progress bar over the notebook's cells.
    date : str, optional
        Date recorded in the provenance (ISO 8601); now when None.
    pdf : bool, default=True
        Also print ``report.pdf`` with headless Chromium (:func:`print_pdf`), when it is installed.
    profiles : path, optional
        The folder of ``toolkit profiles`` (``model.json``, ``assignments.csv``): the report uses
        that saved solution instead of fitting profiles itself, so it describes the profiles the
        plans were drafted from (checked student by student), and says how it was chosen.

    Returns
    -------
    ReportResult

    Raises
    ------
    ToolkitError
        For a missing input, a bad option, or any user mistake found while running the pipeline
        (the message of the stage that found it).
    """
    import nbformat
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    export = _existing(export, "export", "EXPORT")
    codebook = _existing(codebook, "codebook", "--codebook")
    from ..codebook import load_codebook

    load_codebook(codebook)  # an unfinished draft (TODO marks) or a bad codebook is refused before any work
    wave2 = _existing(wave2, "second-wave export", "--wave2") if wave2 else None
    workload = _existing(workload, "workload file", "--workload") if workload else None
    profiles_model = None
    if profiles:
        profiles_dir = Path(profiles).expanduser().resolve()
        if not profiles_dir.is_dir():
            raise user_error("the profiles folder does not exist", file=profiles_dir,
                             fix="give the --out folder of toolkit profiles to --profiles")
        profiles_model = _existing(profiles_dir / "model.json", "saved profile model", "--profiles")
        _existing(profiles_dir / "assignments.csv", "saved profile assignments", "--profiles")
        read_saved(profiles_dir)  # a bad model.json or assignments.csv is refused before anything runs
    min_cell = check_min_cell(min_cell)
    ks = check_k_range(k, name="k")
    models = check_models(models)
    check_output_dir(out_dir, protect=[p for p in (export, codebook, wave2, workload) if p])
    key_path = Path(key_file).expanduser() if key_file else default_key_file()
    # Loaded (or made) here, before the path is resolved: a key file that is a link to a missing
    # file (a USB drive not plugged in) is refused, never replaced by a new key at the link's target.
    from ..privacy import load_or_create_key

    if Path(out_dir).resolve() in key_path.resolve().parents:
        raise user_error("the key file is inside the output folder, where it would be shared with the report",
                         file=key_path, fix="keep the key outside the project and the output folders")
    load_or_create_key(key_path)
    key_path = key_path.resolve()
    parameters = {
        "export_path": str(export),
        "codebook_path": str(codebook),
        "wave2_path": str(wave2) if wave2 else "",
        "workload_path": str(workload) if workload else "",
        "profiles_path": str(profiles_model.parent) if profiles_model else "",
        "min_cell": int(min_cell),
        "models": models,
        "n_profiles": ks,
        "n_starts": int(n_starts or 0),
        "seed": int(seed),
    }
    source = report_notebook()
    protect = [p for p in (export, codebook, wave2, workload, profiles_model.parent if profiles_model else None) if p]
    with atomic_output_dir(out_dir, protect=protect) as tmp:
        executed = tmp / "report.ipynb"
        try:
            # The key's path reaches the kernel through the environment, never the notebook: no
            # parameter, injected cell or metadata of the kept notebook can name where it lives.
            with _environment({KEY_FILE_ENV: str(key_path), "MPLBACKEND": "agg"}):
                pm.execute_notebook(
                    str(source), str(executed), parameters=parameters, cwd=str(tmp),
                    progress_bar=progress, kernel_name="python3", log_output=False,
                    extra_arguments=["--IPKernelApp.log_level=ERROR"],  # no kernel start-up chatter in the terminal
                )
        except PapermillExecutionError as exc:
            if exc.ename == "ToolkitError":
                raise ToolkitError(exc.evalue) from None
            raise
        nb = _without_local_paths(nbformat.read(executed, as_version=4), parameters, source, executed)
        _pin_cell_ids(nb)
        _check_figures(nb)
        shown = {k: v for k, v in parameters.items() if not k.endswith("_path")}
        prov = provenance({"export": export, "codebook": codebook, "wave2": wave2, "workload": workload,
                           "profiles": profiles_model},
                          shown, seed=seed, date=date)
        nb.metadata["toolkit"] = {"provenance": prov}
        nbformat.write(nb, executed)
        (tmp / "report.html").write_text(render_html(nb, prov), encoding="utf-8")
        (tmp / "provenance.json").write_text(json.dumps(prov, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        printed = print_pdf(tmp / "report.html", tmp / "report.pdf") if pdf else None
        for stray in tmp.iterdir():  # the notebook writes nothing else; keep the folder clean anyway
            if stray.name not in ("report.ipynb", "report.html", "provenance.json", "report.pdf"):
                shutil.rmtree(stray) if stray.is_dir() else stray.unlink()
    out = Path(out_dir)
    return ReportResult(out, out / "report.html", out / "report.ipynb", out / "provenance.json", parameters,
                        out / "report.pdf" if printed else None)
