"""Save a fitted profile model as JSON, and assign the students of a later wave with it.

The file is plain JSON (no pickle: nothing in it can run code when loaded). It holds the model
number, the construct columns in order, the profile weights, means and covariance matrices,
the fit statistics, the profile names and the SHA-256 of the codebook the scores were made
with, so a later wave is only scored against the same survey. Floats are written with
Python's shortest round-trip representation, so a loaded model predicts exactly what the
fitted one did.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import user_error
from ._input import as_score_frame
from .model import LatentProfileModel

__all__ = ["FORMAT", "assign_profiles", "load_model", "model_to_json", "save_model"]

#: The ``format`` field of the JSON file.
FORMAT = "toolkit.latent_profile_model"
_VERSION = 1


def _unwrap(obj):
    """(model, names) from a ProfileSolution or a fitted LatentProfileModel."""
    if hasattr(obj, "assignments") and hasattr(obj, "names"):  # ProfileSolution
        return obj.model, dict(obj.names)
    return obj, None


def model_to_json(model, *, codebook_sha256=None, names=None, columns=None, extra=None):
    """The JSON text of a fitted model.

    Parameters
    ----------
    model : LatentProfileModel or ProfileSolution
        A fitted model (a solution's names are saved with it).
    codebook_sha256 : str, optional
        ``Codebook.sha256`` of the codebook the scores were made with.
    names : dict, optional
        Profile (1..K) -> name; defaults to the solution's names.
    columns : list of str, optional
        Construct names in the model's column order; defaults to ``feature_names_in_``.
    extra : dict, optional
        More JSON-serialisable fields to record (e.g. the recommendation); they cannot replace
        the model's own fields.

    Returns
    -------
    str
        Deterministic JSON (same model, same text).
    """
    lpm, sol_names = _unwrap(model)
    if not hasattr(lpm, "means_"):
        raise ValueError("the model is not fitted; call fit before saving it")
    names = names if names is not None else sol_names
    if columns is None:
        if hasattr(lpm, "feature_names_in_"):
            columns = [str(c) for c in lpm.feature_names_in_]
        else:
            columns = [f"x{j + 1}" for j in range(lpm.means_.shape[1])]
    doc = {
        "format": FORMAT,
        "version": _VERSION,
        "model": int(lpm.model),
        "n_profiles": int(lpm.n_profiles),
        "columns": list(columns),
        "codebook_sha256": codebook_sha256,
        "weights": [float(x) for x in lpm.weights_],
        "means": [[float(x) for x in row] for row in lpm.means_],
        "covariances": [[[float(x) for x in row] for row in mat] for mat in lpm.covariances_],
        "log_likelihood": float(lpm.log_likelihood_),
        "n_parameters": int(lpm.n_parameters_),
        "n_samples_fit": int(getattr(lpm, "n_samples_fit_", 0)),
        "converged": bool(lpm.converged_),
        "replicated": bool(lpm.replicated_),
        "names": {str(k): str(v) for k, v in sorted((names or {}).items())},
    }
    for key, value in (extra or {}).items():
        if key in doc:
            raise ValueError(f"extra field {key!r} would replace a field of the model")
        doc[key] = value
    return json.dumps(doc, indent=2, allow_nan=False) + "\n"


def save_model(model, path, *, codebook_sha256=None, names=None):
    """Write :func:`model_to_json` to ``path`` (through a temporary file and a rename).

    Returns
    -------
    pathlib.Path
    """
    from .._atomic import atomic_write_text

    path = Path(path)
    atomic_write_text(path, model_to_json(model, codebook_sha256=codebook_sha256, names=names))
    return path


def _read_doc(source):
    if isinstance(source, dict):
        return source, "<model>"
    if isinstance(source, (str, os.PathLike)) and not str(source).lstrip().startswith("{"):
        path = Path(source)
        if not path.is_file():
            raise user_error("the model file does not exist", file=path, fix="give the model.json written by 'toolkit profiles'")
        try:
            return json.loads(path.read_text(encoding="utf-8")), path
        except json.JSONDecodeError as exc:
            raise user_error(f"the model file is not valid JSON ({exc.msg} at line {exc.lineno})", file=path,
                             fix="give the model.json written by 'toolkit profiles', unedited") from None
    try:
        return json.loads(source), "<model>"
    except json.JSONDecodeError as exc:
        raise user_error(f"the model text is not valid JSON ({exc.msg})", fix="pass the text of a model.json") from None


def load_model(source):
    """A fitted :class:`LatentProfileModel` from saved JSON.

    Parameters
    ----------
    source : path, JSON text or dict

    Returns
    -------
    model : LatentProfileModel
        With ``weights_``, ``means_``, ``covariances_``, ``feature_names_in_`` and the fit
        statistics restored, plus ``names_`` (dict profile -> name) and ``codebook_sha256_``.
    """
    doc, where = _read_doc(source)
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise user_error("this is not a toolkit profile model", file=where, value=(doc.get("format") if isinstance(doc, dict) else None),
                         fix="give the model.json written by 'toolkit profiles'")
    if doc.get("version") != _VERSION:
        raise user_error("unsupported model file version", file=where, value=doc.get("version"),
                         fix=f"use a model file of version {_VERSION}")
    try:
        K, model = int(doc["n_profiles"]), int(doc["model"])
        cols = [str(c) for c in doc["columns"]]
        w = np.asarray(doc["weights"], dtype=float)
        mu = np.asarray(doc["means"], dtype=float)
        cov = np.asarray(doc["covariances"], dtype=float)
    except (KeyError, TypeError, ValueError) as exc:
        raise user_error(f"the model file is incomplete ({exc})", file=where,
                         fix="give the model.json written by 'toolkit profiles', unedited") from None
    d = len(cols)
    if w.shape != (K,) or mu.shape != (K, d) or cov.shape != (K, d, d):
        raise user_error("the model file's arrays do not match its number of profiles and columns", file=where,
                         fix="give the model.json written by 'toolkit profiles', unedited")
    lpm = LatentProfileModel(K, model=model)
    lpm.weights_, lpm.means_, lpm.covariances_ = w, mu, cov
    lpm.log_likelihood_ = float(doc.get("log_likelihood", np.nan))
    lpm.n_parameters_ = int(doc.get("n_parameters", 0))
    lpm.n_samples_fit_ = int(doc.get("n_samples_fit", 0))
    lpm.converged_ = bool(doc.get("converged", True))
    lpm.replicated_ = bool(doc.get("replicated", True))
    lpm.n_features_in_ = d
    lpm.feature_names_in_ = np.asarray(cols, dtype=object)
    lpm.names_ = {int(k): v for k, v in (doc.get("names") or {}).items()}
    lpm.codebook_sha256_ = doc.get("codebook_sha256")
    return lpm


def assign_profiles(model_json, new_scores, *, codebook=None, source=None):
    """Assign students (e.g. of a later wave) to the profiles of a saved model.

    Parameters
    ----------
    model_json : path, JSON text, dict or LatentProfileModel
        The saved model (``model.json``).
    new_scores : DataFrame
        Scores of the new students, index ``pseudonym``; must have every column of the model
        (extra columns are ignored). Missing values are allowed (FIML posteriors); rows with
        every model column missing get profile 0 and NaN posteriors.
    codebook : Codebook or str, optional
        The codebook (or its sha256) the new scores were made with; when both it and the model
        carry a hash, they must agree.
    source : str, optional
        File name to mention in error messages.

    Returns
    -------
    DataFrame
        Index as ``new_scores``; columns ``profile`` (1..K), ``certainty`` (max posterior),
        ``p1..pK`` and ``name``.
    """
    lpm = model_json if isinstance(model_json, LatentProfileModel) else load_model(model_json)
    saved = getattr(lpm, "codebook_sha256_", None)
    given = getattr(codebook, "sha256", codebook)
    if saved and given and saved != given:
        raise user_error(
            "the scores were made with a different codebook than the model",
            file=source,
            value=f"{given[:12]}... (model: {saved[:12]}...)",
            fix="score the new wave with the codebook the model was fitted with, or refit the profiles",
        )
    cols = [str(c) for c in lpm.feature_names_in_]
    missing = [c for c in cols if c not in new_scores.columns]
    if missing:
        raise user_error("the scores lack a column of the model", file=source, column=missing[0],
                         fix=f"the model needs the columns {', '.join(cols)}")
    X = as_score_frame(new_scores, cols, source=source)
    empty = X.isna().all(axis=1).to_numpy()
    K = lpm.means_.shape[0]
    z = np.full((len(X), K), np.nan)
    if (~empty).any():
        z[~empty] = lpm.predict_proba(X.loc[~empty])
    out = pd.DataFrame(index=new_scores.index.copy())
    prof = np.where(empty, 0, np.nan_to_num(z, nan=-1).argmax(axis=1) + 1)
    out["profile"] = prof.astype(int)
    out["certainty"] = np.nanmax(np.where(empty[:, None], 0.0, z), axis=1)
    out.loc[empty, "certainty"] = np.nan
    for k in range(K):
        out[f"p{k + 1}"] = z[:, k]
    names = getattr(lpm, "names_", {}) or {}
    out["name"] = [names.get(int(p), "") if p > 0 else "" for p in prof]
    return out
