"""House rules that keep the code base in shape (STYLE.md)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WEB = {"api", "fastapi", "starlette", "uvicorn"}


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_core_knows_nothing_of_the_web():
    """kg/ never imports the web layer, except the CLI's `serve` command, which starts it."""
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_modules(path) & WEB)
        for path in (ROOT / "kg").rglob("*.py")
        if path != ROOT / "kg" / "cli" / "serve.py" and imported_modules(path) & WEB
    }
    assert offenders == {}


def test_modules_stay_small():
    """No god modules: every module under kg/ and api/ stays below 500 lines."""
    too_long = {
        str(path.relative_to(ROOT)): n
        for folder in ("kg", "api")
        for path in (ROOT / folder).rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > 500
    }
    assert too_long == {}
