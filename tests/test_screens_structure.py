"""The app's modules form a tree, not a knot: no import cycle among the screens' modules,
counting lazy imports inside functions and TYPE_CHECKING imports too."""

from __future__ import annotations

import ast
from pathlib import Path

import screens

SCREENS_DIR = Path(screens.__file__).parent


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SCREENS_DIR.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def screens_imports() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in SCREENS_DIR.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                stem = ".".join(base + ([node.module] if node.module else []))
                targets = [stem] + [f"{stem}.{a.name}" for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("screens"):
                targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names if a.name.startswith("screens")]
            graph[name] |= {t for t in targets if t in modules and t != name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_the_graph_sees_the_screens_imports():
    graph = screens_imports()
    assert "screens.main" in graph["screens.app"]
    assert "screens.actions" in graph["screens.detail"]
    assert "screens.dialogs.base" in graph["screens.dialogs.status"]


def test_no_import_cycle_among_the_screens():
    assert find_cycle(screens_imports()) is None


def test_find_cycle_finds_one():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]


def test_screens_talk_through_messages_not_hooks():
    for path in SCREENS_DIR.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for hook in ('"board_changed"', '"show_loaded"'):
            assert hook not in text, f"{path.name} looks a hook up by name: {hook}"


def test_cursor_mark_differs_from_every_row_mark():
    from screens import text

    marks = [
        text.MARK_PROVISIONAL, text.MARK_SHIFTED, text.MARK_MOVED,
        text.MARK_DONE, text.MARK_CANCELLED, text.MARK_OVERDUE,
    ]
    assert len(set(marks)) == len(marks)
    assert text.CURSOR not in marks
    assert f"{text.MARK_MOVED} 已改期" in text.legend()
