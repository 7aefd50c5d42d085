"""Found/total of the seeds' table cells in their exports, PDF and XLSX (issue 14's closing
note); the counting lives in tests/exports/fidelity.py, which the test suite runs too.

    DATABASE_URL=sqlite:///db.sqlite3 python bench/seed_fidelity.py [-v]   # after load_demo
"""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "perfgoals.settings")
# Measured as served (DEBUG off), which needs a key; a scratch database only.
os.environ.setdefault("SECRET_KEY", "bench-only-key")

import django  # noqa: E402

django.setup()

from tests.exports.fidelity import seed_fidelity  # noqa: E402


def main() -> None:
    print(f"{'seed':5} {'what':15} {'PDF':>10} {'XLSX':>10}")
    for seed, result in seed_fidelity(verbose="-v" in sys.argv).items():
        for what, (fp, fx, total) in result.items():
            print(f"{seed:5} {what:15} {fp:>4}/{total:<5} {fx:>4}/{total:<5}")


if __name__ == "__main__":
    main()
