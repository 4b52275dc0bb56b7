"""Make the repository root importable when pytest runs without a project-level config
(no rootdir conftest or `pythonpath` setting yet)."""
import sys
from pathlib import Path

_REPO_ROOT = str(Path(__file__).resolve().parents[3])
if _REPO_ROOT not in sys.path:
    sys.path.insert(0, _REPO_ROOT)
