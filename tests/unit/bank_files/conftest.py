"""Shared fixtures: the real bank return files (read in place, never copied into the repo) and a
helper that writes a corrupted copy of one of them."""
from pathlib import Path
from typing import Callable

import pytest

REPO_ROOT = Path(__file__).resolve().parents[3]
REFERENCE_CNAB = REPO_ROOT.parent / "shared/reference/cnab"


@pytest.fixture(scope="session")
def reference_cnab() -> Path:
    if not REFERENCE_CNAB.is_dir():
        pytest.fail(
            f"Reference CNAB files not found at {REFERENCE_CNAB}: these tests need the shared "
            "reference directory (../shared/reference/cnab next to the repository)."
        )
    return REFERENCE_CNAB


@pytest.fixture
def corrupted_copy(reference_cnab: Path, tmp_path: Path) -> Callable[..., Path]:
    """corrupted_copy(name, line, change) -> path of a copy whose 1-based `line` is change(line_text)
    (None deletes it); line endings and everything else stay byte for byte."""

    def make(name: str, line: int, change: Callable[[str], str | None]) -> Path:
        lines = (reference_cnab / name).read_bytes().decode("latin-1").split("\n")
        ending = "\r" if lines[line - 1].endswith("\r") else ""
        changed = change(lines[line - 1].removesuffix("\r"))
        if changed is None:
            del lines[line - 1]
        else:
            lines[line - 1] = changed + ending
        path = tmp_path / f"corrupted-{name}"
        path.write_bytes("\n".join(lines).encode("latin-1"))
        return path

    return make


def replace_at(text: str, position: int, new: str) -> str:
    """Replaces characters from the 1-based `position`, padding a right-trimmed line first."""
    padded = text.ljust(position - 1 + len(new))
    return padded[:position - 1] + new + padded[position - 1 + len(new):]
