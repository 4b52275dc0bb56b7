"""Independent checkers the suite installs itself (``make deps-boleto``): npm validators run in
one long-lived node process, and the zbar / poppler command-line tools.

A missing tool fails the test (it never skips), telling how to install it."""
import json
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
NODE_PREFIX = REPO / ".local" / "node"
NPM_PACKAGES = ("@brazilian-utils/brazilian-utils", "pix-utils")
INSTALL_HINT = "run `make deps-boleto` (installs zbar-tools, poppler-utils and the npm validators)"

# One request per line on stdin ({"op": ..., "items": [...]}), one JSON array per line on stdout.
_NODE_PROGRAM = r"""
const readline = require('readline');
const { isValidBoleto } = require('@brazilian-utils/brazilian-utils');
const { parsePix, hasError } = require('pix-utils');
const ops = {
  boleto: (line) => isValidBoleto(line),
  pix: (payload) => {
    const parsed = parsePix(payload);
    return hasError(parsed) ? { error: true, message: parsed.message } : { error: false, ...parsed };
  },
};
readline.createInterface({ input: process.stdin }).on('line', (text) => {
  const request = JSON.parse(text);
  process.stdout.write(JSON.stringify(request.items.map(ops[request.op])) + '\n');
});
"""


def require_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"`{name}` not found: {INSTALL_HINT}")
    return path


class NodeValidators:
    """@brazilian-utils/brazilian-utils isValidBoleto and pix-utils parsePix, many items per call."""

    def __init__(self) -> None:
        node = require_tool("node")
        for package in NPM_PACKAGES:
            if not (NODE_PREFIX / "node_modules" / package / "package.json").is_file():
                pytest.fail(f"npm package {package} missing under {NODE_PREFIX}: {INSTALL_HINT}")
        self._process = subprocess.Popen(
            [node, "-e", _NODE_PROGRAM],
            cwd=NODE_PREFIX,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def _ask(self, op: str, items: list[str]) -> list:
        self._process.stdin.write(json.dumps({"op": op, "items": items}) + "\n")
        self._process.stdin.flush()
        answer = self._process.stdout.readline()
        if not answer:
            pytest.fail("the node validator process died")
        return json.loads(answer)

    def valid_boletos(self, lines: list[str]) -> list[bool]:
        return self._ask("boleto", lines)

    def parse_pix(self, payloads: list[str]) -> list[dict]:
        return self._ask("pix", payloads)

    def close(self) -> None:
        self._process.stdin.close()
        self._process.wait(timeout=10)
