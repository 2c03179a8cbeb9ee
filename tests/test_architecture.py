"""The core never depends on Qt: only sendesk.ui may import PySide6, so the CLI, the store and
the records rules run (and are tested) without a GUI toolkit, and the UI can be replaced."""

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
