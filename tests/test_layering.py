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
    found = pkgutil.walk_packages([str(TRACKER_DIR)], prefix="tracker.")
    # __main__ runs the CLI when imported; the app entry is the one module allowed to reach the UI.
    return sorted(["tracker"] + [m.name for m in found if not m.name.endswith("__main__")])


def test_every_tracker_module_is_listed():
    modules = tracker_modules()
    for required in ("tracker.cli", "tracker.cli.tui", "tracker.service", "tracker.settings", "tracker.model"):
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


APP_ENTRY = TRACKER_DIR / "cli" / "tui.py"
SCREENS_DIR = TRACKER_DIR.parent / "screens"
# What the UI may use of the domain: the service API, the model and the outputs.
SCREENS_MAY_IMPORT = ("tracker.service", "tracker.model", "tracker.outputs", "tracker.errors")


def imported_names(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", "")) in (
            "import_module",
            "__import__",
        ):
            names = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
        found += [(node.lineno, name) for name in names]
    return found


def test_tracker_sources_name_no_ui_package():
    offenders = []
    for path in sorted(TRACKER_DIR.rglob("*.py")):
        for line, name in imported_names(path):
            if name.split(".")[0] in UI_PACKAGES + ("screens",) and path != APP_ENTRY:
                offenders.append(f"{path.relative_to(TRACKER_DIR)}:{line}: {name}")
    assert offenders == []


def test_app_entry_only_starts_the_app():
    names = {name for _, name in imported_names(APP_ENTRY)}
    assert {n for n in names if n.split(".")[0] in UI_PACKAGES + ("screens",)} <= {
        "screens.app", "screens.app.run_app", "screens.app.run_review",
    }


def test_screens_use_only_the_service_model_and_outputs():
    offenders = []
    for path in sorted(SCREENS_DIR.rglob("*.py")):
        for line, name in imported_names(path):
            if name.split(".")[0] != "tracker" or name in ("tracker",):
                continue
            if not any(name == allowed or name.startswith(allowed + ".") for allowed in SCREENS_MAY_IMPORT):
                offenders.append(f"{path.relative_to(SCREENS_DIR.parent)}:{line}: {name}")
    assert offenders == []
