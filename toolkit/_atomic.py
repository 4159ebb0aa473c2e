"""Write outputs all at once or not at all.

A command writes into a temporary folder beside its output folder; only when everything has been
written are the files moved into place. A failure half-way leaves the output folder as it was, and
so does a SIGTERM or SIGHUP (a closed terminal, a killed job): the temporary folder, which may
hold a half-executed report notebook, is removed before the process ends.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import signal
import tempfile
import threading
from pathlib import Path
from typing import Iterable, Iterator

from .errors import user_error

__all__ = ["atomic_output_dir", "atomic_write_text", "check_output_dir", "check_output_file"]

_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


@contextlib.contextmanager
def _cleanup_on_signals() -> Iterator[None]:
    """Turn SIGTERM and SIGHUP into ``SystemExit(128 + signal)`` while the block runs.

    The default action of both signals ends the process at once, so ``finally`` blocks never run
    and temporary outputs stay behind. Raising instead unwinds the stack through them. Once a
    signal was caught, both stay ignored until the process ends. Only the main thread may
    install handlers; elsewhere the block runs unchanged.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    caught = []

    def _raise(signum, frame):
        for sig in _SIGNALS:  # a second signal must not interrupt the clean-up of the first
            signal.signal(sig, signal.SIG_IGN)
        caught.append(signum)
        raise SystemExit(128 + signum)

    previous = {}
    for sig in _SIGNALS:
        try:
            previous[sig] = signal.signal(sig, _raise)
        except (ValueError, OSError):  # pragma: no cover - an embedding that forbids handlers
            pass
    try:
        yield
    finally:
        # After a signal the process is on its way out with 128 + that signal: the signals stay
        # ignored, so that another one, arriving after the clean-up, cannot end it otherwise.
        for sig, handler in previous.items() if not caught else ():
            signal.signal(sig, handler if handler is not None else signal.SIG_DFL)


def _writable_folder(folder: Path, shown: Path, what: str, fix: str) -> None:
    """The nearest existing ancestor of ``folder`` must be a folder we may create files in."""
    probe = folder
    while not probe.exists():
        if probe.is_symlink():  # a dangling link: mkdir would fail with a confusing FileExistsError
            raise user_error(f"the {what} is a link to a place that does not exist", file=shown,
                             fix="remove the link or choose another path")
        if probe.parent == probe:
            break
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        if probe == folder:
            raise user_error(f"the {what} is a file, not a folder", file=shown, fix=fix)
        raise user_error(f"the {what} would be inside '{probe}', which is a file, not a folder", file=shown, fix=fix)
    if not os.access(probe, os.W_OK | os.X_OK):
        raise user_error(f"the {what} cannot be written: you may not create files in '{probe}'", file=shown, fix=fix)


def check_output_dir(out_dir: str | os.PathLike, *, protect: Iterable[str | os.PathLike] = ()) -> Path:
    """Refuse an output folder that cannot hold the outputs, before any work is done.

    Parameters
    ----------
    out_dir : path
        The folder the user asked for (``--out``); it may not exist yet.
    protect : iterable of paths
        Input files (the raw export): the output folder may be neither one of them nor the folder
        that holds one.

    Returns
    -------
    Path
        ``out_dir`` resolved.

    Raises
    ------
    ToolkitError
        The folder is an existing file, lies below a file, cannot be written to, or would hold
        an input file. The message names the folder and says what to do.
    """
    shown = Path(out_dir)
    out = shown.resolve()
    fix = "choose another --out folder that you may write to"
    if shown.is_symlink() and not shown.exists():
        raise user_error("the output folder is a link to a place that does not exist (a drive not connected?)",
                         file=shown, fix="connect the drive or correct the link, or choose another --out folder")
    for p in protect:
        src = Path(p).resolve()
        if out == src or out == src.parent:
            raise user_error(
                "the output folder would hold the input file, and the raw export must never be "
                "changed or have files written next to it",
                file=out,
                fix="choose another --out folder, outside the folder that holds the export",
            )
    _writable_folder(out, shown, "output folder", fix)
    return out


def check_output_file(path: str | os.PathLike) -> Path:
    """Refuse an output file path that cannot be written, before any work is done.

    Raises
    ------
    ToolkitError
        The path is a folder, lies below a file, or its folder cannot be written to.
    """
    shown = Path(path)
    target = shown.resolve()
    if target.is_dir():
        raise user_error("the output file is a folder", file=shown, fix="give a file name such as codebook.yml")
    if target.exists() and not os.access(target, os.W_OK):
        raise user_error("the output file exists and cannot be replaced (it is read-only)", file=shown,
                         fix="choose another output file, or make this one writable")
    _writable_folder(target.parent, shown, "output file's folder", "choose another output file, in a folder you may write to")
    return target


def _os_error(exc: OSError, path: Path, what: str):
    reason = {errno.ENOSPC: "the disk is full", errno.EDQUOT: "the disk quota is used up",
              errno.EACCES: "permission denied", errno.EPERM: "permission denied",
              errno.EROFS: "the disk is read-only"}.get(exc.errno, exc.strerror or type(exc).__name__)
    return user_error(f"the {what} cannot be written ({reason})", file=path,
                      fix="choose another place to write, or free space and run again")


@contextlib.contextmanager
def atomic_output_dir(out_dir: str | os.PathLike, *, protect: Iterable[str | os.PathLike] = ()) -> Iterator[Path]:
    """Yield a temporary folder whose files land in ``out_dir`` only on success.

    Parameters
    ----------
    out_dir : path
        The folder the user asked for; created if missing.
    protect : iterable of paths
        Input files that must survive: if ``out_dir`` would hold one of them, or is one of them,
        a :class:`~toolkit.errors.ToolkitError` is raised before anything is written.

    Notes
    -----
    The output folder is checked first (:func:`check_output_dir`). While the block runs, a
    SIGTERM or SIGHUP removes the temporary folder and ends the process with status 128 plus the
    signal number; a crash or a :class:`~toolkit.errors.ToolkitError` removes it too.
    """
    out = check_output_dir(out_dir, protect=protect)
    with _cleanup_on_signals():
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            # beside the folder, so a failure leaves it untouched; inside it when only it is writable
            beside = os.access(out.parent, os.W_OK | os.X_OK) or not out.is_dir()
            tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent if beside else out))
        except OSError as exc:
            raise _os_error(exc, Path(out_dir), "output folder") from None
        try:
            yield tmp
            try:
                out.mkdir(parents=True, exist_ok=True)
                for child in sorted(tmp.rglob("*")):
                    if child.is_dir():
                        continue
                    target = out / child.relative_to(tmp)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(child, target)
            except OSError as exc:
                raise _os_error(exc, Path(out_dir), "output folder") from None
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


def atomic_write_text(path: str | os.PathLike, text: str) -> None:
    """Write ``text`` to ``path`` through a temporary file and a rename.

    Raises
    ------
    ToolkitError
        The path is a folder, lies below a file, or cannot be written (permission, disk full).
    """
    path = Path(path)
    check_output_file(path)
    with _cleanup_on_signals():
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        except OSError as exc:
            raise _os_error(exc, path, "file") from None
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
            os.replace(tmp, path)
        except BaseException as exc:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            if isinstance(exc, OSError):
                raise _os_error(exc, path, "file") from None
            raise
