"""The layers, enforced.

1. The core never depends on Qt: only sendesk.ui may import PySide6 (and sendesk.pdf QtGui), so
   the CLI, the store and the records rules run (and are tested) without a GUI toolkit, and the
   UI can be replaced.
2. Every module sits in one layer and imports only from its own layer or the ones below
   (LAYERS, lowest first), and no modules import each other in a cycle, however indirectly.
   Imports inside functions count: a lazy import is still a dependency, it only hides it.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import sendesk

PACKAGE = Path(sendesk.__file__).resolve().parent
QT_PACKAGES = ("PySide6", "shiboken6", "PyQt5", "PyQt6", "PySide2")


def module_name(path: Path) -> str:
    parts = ["sendesk", *path.relative_to(PACKAGE).with_suffix("").parts]
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def core_files() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py")
                  if p.relative_to(PACKAGE).parts[0] not in ("ui", "pdf")
                  and "__pycache__" not in p.parts)


def pdf_files() -> list[Path]:
    return sorted(p for p in (PACKAGE / "pdf").rglob("*.py") if "__pycache__" not in p.parts)


def imported_modules(path: Path, source: str | None = None) -> list[tuple[int, str]]:
    """Every module a file imports, relative imports resolved to absolute names."""
    if source is None:
        source = path.read_text(encoding="utf-8")
    tree = ast.parse(source, filename=str(path))
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - (node.level - 1)]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            found.append((node.lineno, prefix))
            found += [(node.lineno, f"{prefix}.{alias.name}") for alias in node.names]
        elif (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
              and isinstance(node.args[0].value, str)
              and getattr(node.func, "attr", getattr(node.func, "id", "")) in ("import_module", "__import__")):
            found.append((node.lineno, node.args[0].value))
    return found


def is_forbidden(name: str) -> bool:
    top = name.split(".")[0]
    return top in QT_PACKAGES or _in(name, "sendesk.ui") or _in(name, "sendesk.pdf")


def _in(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


# The PDF renderer paints with QtGui alone, so the command line can use it without widgets.
PDF_ALLOWED = ("PySide6", "PySide6.QtCore", "PySide6.QtGui")


def is_forbidden_for_pdf(name: str) -> bool:
    if name.split(".")[0] in QT_PACKAGES:
        return not (name in PDF_ALLOWED or any(name.startswith(p + ".") for p in PDF_ALLOWED[1:]))
    return _in(name, "sendesk.ui")


def test_the_core_files_are_found():
    names = {module_name(p) for p in core_files()}
    assert {"sendesk.services.lifecycle", "sendesk.cli.main", "sendesk.quickunlock",
            "sendesk.documents.model"} <= names
    assert not any(name.startswith(("sendesk.ui", "sendesk.pdf")) for name in names)
    assert "sendesk.pdf" in {module_name(p) for p in pdf_files()}


def test_the_checker_sees_qt_imports():
    """Guard against a vacuous pass: the parser does catch each way of importing Qt."""
    source = ("import PySide6.QtCore\nfrom PySide6 import QtWidgets\nfrom ..ui import app\n"
              "import importlib\nimportlib.import_module('shiboken6')\nimport json\n")
    names = [name for _, name in imported_modules(PACKAGE / "store" / "probe.py", source)]
    flagged = {name for name in names if is_forbidden(name)}
    assert {"PySide6.QtCore", "PySide6", "sendesk.ui", "sendesk.ui.app", "shiboken6"} <= flagged
    assert "json" not in flagged and "importlib" not in flagged
    assert is_forbidden("sendesk.pdf") and is_forbidden("sendesk.pdf.layout")
    assert not is_forbidden("sendesk.pdfs_are_not_this")


def test_the_pdf_checker_allows_qtgui_only():
    assert not is_forbidden_for_pdf("PySide6.QtGui") and not is_forbidden_for_pdf("PySide6.QtCore")
    assert is_forbidden_for_pdf("PySide6.QtWidgets") and is_forbidden_for_pdf("PySide6.QtPrintSupport")
    assert is_forbidden_for_pdf("sendesk.ui.prompts") and not is_forbidden_for_pdf("sendesk.documents")


def test_the_pdf_renderer_uses_neither_widgets_nor_the_ui():
    offenders = [f"{path.relative_to(PACKAGE.parent)}:{line} imports {name}"
                 for path in pdf_files() for line, name in imported_modules(path)
                 if is_forbidden_for_pdf(name)]
    assert offenders == []


def test_no_core_module_imports_qt_or_the_ui():
    """Only the command line may reach the PDF renderer (and only when a command needs it);
    the rest of the core takes rendered bytes or a render function as an argument."""
    offenders = [f"{path.relative_to(PACKAGE.parent)}:{line} imports {name}"
                 for path in core_files() for line, name in imported_modules(path)
                 if is_forbidden(name)
                 and not (path.relative_to(PACKAGE).parts[0] == "cli" and _in(name, "sendesk.pdf"))]
    assert offenders == []


def test_importing_every_core_module_loads_no_qt():
    """The imports that really happen, including ones made by code the parser cannot see."""
    modules = sorted({module_name(p) for p in core_files()} - {"sendesk.__main__"})
    script = f"""
import importlib, json, sys
qt = {QT_PACKAGES!r}
culprits, failures = [], {{}}
for name in {modules!r}:
    try:
        importlib.import_module(name)
    except Exception as exc:
        failures[name] = f"{{type(exc).__name__}}: {{exc}}"
    loaded = [m for m in sys.modules if m.split(".")[0] in qt or m.startswith("sendesk.ui")]
    if loaded and not culprits:
        culprits.append([name, sorted(loaded)[:5]])
print(json.dumps({{"culprits": culprits, "failures": failures}}))
"""
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["failures"] == {}
    assert report["culprits"] == [], f"first module to pull in Qt: {report['culprits']}"


# --- the layer order --------------------------------------------------------------------------

# Lowest first. A module belongs to the layer of the longest prefix that names it; a module may
# import from its own layer and any layer below, never above.
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    # Pure: no database, no session, no files of the school. errors and resources sit here
    # because the models raise the errors and read the packaged data (flowcharts, code lists);
    # clock (what time it is, replaceable in tests) and passwords (the strength rule) depend on
    # nothing else; "sendesk" itself is the package's __init__ (the version).
    ("pure", ("sendesk", "sendesk.crypto", "sendesk.models", "sendesk.errors", "sendesk.resources",
              "sendesk.clock", "sendesk.passwords")),
    # Storage primitives: the SQLCipher database, key file, migrations, audit chain, files.
    ("store", ("sendesk.store",)),
    # An unlocked database and its user, the operations seam, and two small pieces of local
    # state kept beside it: the app's own settings file (settings, written with store.files)
    # and the data key held in the OS keyring between locks (quickunlock).
    ("session", ("sendesk.session", "sendesk.operations", "sendesk.settings",
                 "sendesk.quickunlock")),
    # Use cases over the store and the session: create/open/unlock, users, backup, verify.
    ("services", ("sendesk.services",)),
    # The repositories, the document builders and transfers (may import each other).
    ("core", ("sendesk.records", "sendesk.documents", "sendesk.transfer")),
    # Front ends and what only they use: the command line, the PDF renderer, the window, and
    # the demo school (started by `sendesk --demo` and the window's demo start).
    ("app", ("sendesk.cli", "sendesk.pdf", "sendesk.ui", "sendesk.demo", "sendesk.__main__")),
]

# The PDF renderer paints a document model it is handed: checking permissions and auditing
# exports is the core's job, so it reaches none of these.
PDF_MAY_NOT_IMPORT = ("sendesk.session", "sendesk.operations", "sendesk.services",
                      "sendesk.records")

# Real violations in files being changed on other branches of issue 16, each with who fixes
# it. The lead empties this set after merging them; nothing may be added to it otherwise.
KNOWN_UNTIL_MERGE: set[tuple[str, str]] = {
    # seam-a: export and print permission checks and their audit move out of pdf/ into the
    # core, after which pdf/ no longer needs the Session.
    ("sendesk.pdf", "sendesk.session"),
}


def all_files() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def layer_of(module: str) -> int:
    best, best_len = -1, -1
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            matches = module == prefix if prefix == "sendesk" else _in(module, prefix)
            if matches and len(prefix) > best_len:
                best, best_len = index, len(prefix)
    return best


def dependencies(path: Path, modules: set[str], source: str | None = None) -> list[tuple[int, str]]:
    """The sendesk modules a file depends on, resolved to real modules: `from x import y` is
    x.y when that is a module, else x; an import anywhere in the file counts (in a function, in
    a try, under TYPE_CHECKING) and so does importlib.import_module("...")."""
    if source is None:
        source = path.read_text(encoding="utf-8")
    tree = ast.parse(source, filename=str(path))
    me = module_name(path)
    package = me if path.name == "__init__.py" else me.rpartition(".")[0]

    def nearest(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - (node.level - 1)]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            names = [f"{prefix}.{alias.name}" if f"{prefix}.{alias.name}" in modules else prefix
                     for alias in node.names]
        elif (isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant)
              and isinstance(node.args[0].value, str)
              and getattr(node.func, "attr", getattr(node.func, "id", "")) in ("import_module",
                                                                                "__import__")):
            names = [node.args[0].value]
        for name in names:
            if _in(name, "sendesk"):
                target = nearest(name)
                if target is not None and target != me:
                    found.append((node.lineno, target))
    return found


def import_graph(files: list[Path] | None = None,
                 sources: dict[str, str] | None = None) -> dict[str, dict[str, int]]:
    """module -> {module it imports: first line}; `sources` adds or replaces modules by name
    (for the tests of the checker)."""
    sources = sources or {}
    paths = {module_name(p): p for p in (files if files is not None else all_files())}
    for name in sources:
        paths.setdefault(name, PACKAGE.joinpath(*name.split(".")[1:]).with_suffix(".py"))
    modules = set(paths)
    graph: dict[str, dict[str, int]] = {}
    for name, path in paths.items():
        edges: dict[str, int] = {}
        for line, target in dependencies(path, modules, sources.get(name)):
            edges.setdefault(target, line)
        graph[name] = edges
    return graph


def upward_imports(graph: dict[str, dict[str, int]]) -> list[tuple[str, str]]:
    found = []
    for module, edges in graph.items():
        for target in edges:
            if layer_of(target) > layer_of(module):
                found.append((module, target))
            elif _in(module, "sendesk.pdf") and any(_in(target, p) for p in PDF_MAY_NOT_IMPORT):
                found.append((module, target))
    return sorted(found)


def cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    counter = 0
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10000))

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, {}):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                item = stack.pop()
                on_stack.discard(item)
                group.append(item)
                if item == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(groups)


def cycle_edges(graph: dict[str, dict[str, int]], group: list[str]) -> set[tuple[str, str]]:
    members = set(group)
    return {(a, b) for a in group for b in graph[a] if b in members}


def _describe(graph: dict[str, dict[str, int]], module: str, target: str) -> str:
    path = PACKAGE.joinpath(*module.split(".")[1:])
    path = path / "__init__.py" if path.is_dir() else path.with_suffix(".py")
    return f"{path.relative_to(PACKAGE.parent)}:{graph[module][target]} imports {target}"


def test_every_module_has_a_layer():
    assert [m for m in import_graph() if layer_of(m) < 0] == []


def test_no_module_imports_from_a_layer_above_its_own():
    graph = import_graph()
    offenders = [_describe(graph, m, t) + f" ({LAYERS[layer_of(m)][0]} -> {LAYERS[layer_of(t)][0]})"
                 for m, t in upward_imports(graph) if (m, t) not in KNOWN_UNTIL_MERGE]
    assert offenders == []


def test_no_import_cycles():
    graph = import_graph()
    allowed = {module: {t: line for t, line in edges.items() if (module, t) not in KNOWN_UNTIL_MERGE}
               for module, edges in graph.items()}
    found = [" <-> ".join(group) + ": " + "; ".join(
                 _describe(graph, a, b) for a, b in sorted(cycle_edges(allowed, group)))
             for group in cycles(allowed)]
    assert found == []


def test_the_known_leftovers_are_still_real():
    """So the set shrinks as branches land: an entry that no longer happens must be removed."""
    graph = import_graph()
    real = set(upward_imports(graph))
    for group in cycles(graph):
        real |= cycle_edges(graph, group)
    assert KNOWN_UNTIL_MERGE - real == set()


def test_the_layer_checker_sees_an_upward_import():
    """Guard against a vacuous pass: a store module importing the session, lazily, inside a
    function and relatively, is caught; so is a pure model reaching the records."""
    sources = {
        "sendesk.store.probe": "def later():\n    from ..session import Session\n    return Session\n",
        "sendesk.models.probe": "import importlib\nimportlib.import_module('sendesk.records.pupils')\n",
        "sendesk.records.probe": "from ..store import audit\nfrom . import pupils\n",
    }
    graph = import_graph(sources=sources)
    found = upward_imports(graph)
    assert ("sendesk.store.probe", "sendesk.session") in found
    assert ("sendesk.models.probe", "sendesk.records.pupils") in found
    assert not [pair for pair in found if pair[0] == "sendesk.records.probe"]
    assert graph["sendesk.records.probe"] == {"sendesk.store.audit": 1, "sendesk.records.pupils": 2}
    assert layer_of("sendesk") == 0 and layer_of("sendesk.services.lifecycle") == 3
    assert layer_of("sendesk.sessions_are_not_this") == -1


def test_the_cycle_checker_sees_a_cycle():
    """Two modules of the same layer importing each other (one lazily) are a cycle; so is a
    ring of three."""
    graph = {"a": {"b": 1}, "b": {"a": 3}, "c": {"d": 1}, "d": {"e": 1}, "e": {"c": 1},
             "f": {"a": 1}}
    assert cycles(graph) == [["a", "b"], ["c", "d", "e"]]
    sources = {
        "sendesk.records.probe_one": "from . import probe_two\n",
        "sendesk.records.probe_two": "def later():\n    from .probe_one import thing\n",
    }
    found = cycles(import_graph(sources=sources))
    assert ["sendesk.records.probe_one", "sendesk.records.probe_two"] in found


def test_the_pdf_renderer_does_not_check_permissions_or_audit():
    graph = {"sendesk.pdf.probe": {"sendesk.session": 1, "sendesk.documents.model": 2}}
    assert upward_imports(graph) == [("sendesk.pdf.probe", "sendesk.session")]


# --- the SQL dialect stays in the store ------------------------------------------------------

# What only SQLite or SQLCipher understands. Outside sendesk.store it is said through the
# Database's methods (secure_delete, set_meta, id_list, group_ids, table_names, columns, ...),
# so that another backend (PostgreSQL, issue 17) can sit behind the same interface.
SQLITE_ONLY = ("PRAGMA", "sqlite_master", "group_concat", "INSERT OR", "ON CONFLICT",
               "import sqlcipher3", "._connection(", ".conn.")


def sqlite_only_uses(files: list[Path] | None = None,
                     sources: dict[str, str] | None = None) -> set[tuple[str, str]]:
    """(module, what) for every SQLite-only word in a module outside sendesk.store: in its
    code's string constants (comments and docstrings aside), or an import of the driver."""
    found = set()
    texts = {module_name(p): p.read_text(encoding="utf-8")
             for p in (files if files is not None else all_files())}
    texts.update(sources or {})
    for module, source in texts.items():
        if _in(module, "sendesk.store"):
            continue
        tree = ast.parse(source)
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef,
                                           ast.ClassDef))
                      and node.body and isinstance(node.body[0], ast.Expr)
                      and isinstance(node.body[0].value, ast.Constant)}
        strings = " ".join(node.value for node in ast.walk(tree)
                           if isinstance(node, ast.Constant) and isinstance(node.value, str)
                           and id(node) not in docstrings)
        code = ast.unparse(tree)
        for word in SQLITE_ONLY:
            if word.startswith(("import ", ".")):
                hit = word in code
            else:
                hit = word.lower() in strings.lower()
            if hit:
                found.add((module, word))
    return found


def test_sqlite_only_sql_stays_in_the_store():
    assert sorted(sqlite_only_uses()) == []


def test_the_dialect_checker_sees_sqlite_only_sql():
    sources = {"sendesk.records.probe": (
        '"""PRAGMA in a docstring is only prose."""\nimport sqlcipher3\n\n'
        'def f(db):\n    db.execute("pragma secure_delete = ON")\n'
        '    db.execute("SELECT GROUP_CONCAT(id) FROM t")\n    return db._connection()\n'),
        "sendesk.store.probe": 'X = "PRAGMA user_version"\n'}
    found = sqlite_only_uses(files=[], sources=sources)
    assert found == {("sendesk.records.probe", "PRAGMA"), ("sendesk.records.probe", "group_concat"),
                     ("sendesk.records.probe", "import sqlcipher3"),
                     ("sendesk.records.probe", "._connection(")}


def screen_calls(source: str) -> list[int]:
    """Lines that call a widget's or window's screen() (any attribute call named screen with
    no arguments): PySide gives the QScreen's wrapper to the caller's, which can delete the
    application's screen when that window is collected in a cycle (ui/screen_fit.py)."""
    return sorted(node.lineno for node in ast.walk(ast.parse(source))
                  if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                  and node.func.attr == "screen" and not node.args)


def test_no_window_asks_for_its_screen_directly():
    tests = Path(__file__).resolve().parent
    found = {path.name: lines for path in sorted([*PACKAGE.rglob("*.py"), *tests.rglob("*.py")])
             if (lines := screen_calls(path.read_text(encoding="utf-8")))}
    assert found == {}, "use ui.screen_fit.screen_of(widget), not widget.screen()"


def test_the_screen_checker_sees_a_screen_call():
    assert screen_calls("room = self.window().screen().availableGeometry()\n") == [1]
    assert screen_calls("room = screen_of(self).availableGeometry()\n") == []
