"""The domain package stays free of the UI: tracker/ never imports textual or rich.

Checked twice: by importing every tracker module in a fresh interpreter and looking at what
got loaded, and by reading the sources (so a lazy import inside a function is caught too).
"""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

import tracker

UI_PACKAGES = ("textual", "rich")
TRACKER_DIR = Path(tracker.__file__).parent


def tracker_modules() -> list[str]:
    return sorted(["tracker"] + [f"tracker.{m.name}" for m in pkgutil.iter_modules([str(TRACKER_DIR)])])


def test_every_tracker_module_is_listed():
    modules = tracker_modules()
    for required in ("tracker.cli", "tracker.service", "tracker.context", "tracker.store", "tracker.model"):
        assert required in modules


def test_importing_tracker_loads_no_ui_package():
    imports = "; ".join(f"import {m}" for m in tracker_modules())
    code = (
        f"{imports}; import sys; "
        f"bad = sorted({{m.split('.')[0] for m in sys.modules}} & {set(UI_PACKAGES)!r}); "
        "print(bad)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "[]", f"tracker/ pulled in {result.stdout.strip()}"


def test_building_the_cli_loads_no_ui_package():
    # `shuangyong-tui --help` must stay quick: the app is imported only when it opens.
    code = (
        "from click.testing import CliRunner; from tracker.cli import cli; "
        "r = CliRunner().invoke(cli, ['--help']); import sys; "
        f"print(r.exit_code, sorted({{m.split('.')[0] for m in sys.modules}} & {set(UI_PACKAGES)!r}))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0 []"


def test_tracker_sources_name_no_ui_package():
    offenders = []
    for path in sorted(TRACKER_DIR.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            elif isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in (
                "import_module",
                "__import__",
            ):
                names = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
            for name in names:
                if name.split(".")[0] in UI_PACKAGES or name.split(".")[0] == "screens":
                    offenders.append(f"{path.name}:{node.lineno}: {name}")
    # cli.py opens the app through one deferred import of screens.app; nothing else may.
    allowed = {o for o in offenders if o.startswith("cli.py:") and o.endswith(": screens.app")}
    assert sorted(set(offenders) - allowed) == []
    assert len(allowed) <= 1
