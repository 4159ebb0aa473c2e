"""Write the numeric item matrix of the committed sample for psych_reference.R.

Run from the project root:  .venv/bin/python tests/r_reference/make_inputs.py /tmp/sample_items.csv
The matrix holds the raw answers 1..5 (not reverse keyed; R does the reverse keying), NA where a
student skipped, one row per student (duplicates dropped keeping the last), in sample order.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _scoring_sample import sample_responses  # noqa: E402

from toolkit import load_codebook  # noqa: E402
from toolkit.config import SAMPLE_DIR  # noqa: E402

out = sys.argv[1] if len(sys.argv) > 1 else "/tmp/sample_items.csv"
cb = load_codebook(SAMPLE_DIR / "codebook.yml")
responses = sample_responses(cb)
responses[list(cb.item_ids)].reset_index().to_csv(out, index=False, na_rep="NA")
print(f"wrote {out}")
