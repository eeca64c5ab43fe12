"""Engine tests run without Django.

Two bits of set-up, both local to this directory:
* the repository root is made importable, so no installed package is needed;
* hypothesis keeps its example database and caches in the system temp directory, not in the
  checkout shared with other people.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from hypothesis.configuration import set_hypothesis_home_dir

_ROOT = str(Path(__file__).resolve().parents[2])
if _ROOT not in sys.path:
    sys.path.insert(0, _ROOT)

set_hypothesis_home_dir(str(Path(tempfile.gettempdir()) / "perfgoals-engine-hypothesis"))
