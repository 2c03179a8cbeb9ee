"""Everything a person can change through the core can be changed from the window.

The core's public write operations are read from the operations seam itself
(sendesk.operations.OPERATIONS, every spec with writes=True, once every core module is imported),
so an operation is covered the moment it is declared. An operation has "a way in" from the window
when some module under src/sendesk/ui/ refers to it: the source is parsed (ast), each import is
followed to the object it names, and a reference (``consent.withdraw_consent``,
``from ..records.notes import amend_note``, ``apdr.save_plan``) counts when that object is the
declared operation, so a different function that merely shares a name (``finish``,
``save_review``) does not.

What is left must be on WINDOWLESS below, each with the reason the window does not offer it;
an entry that gains a way in, or stops being a write operation, fails the test too, so the list
cannot go stale.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import inspect
import textwrap
from pathlib import Path
from types import FunctionType, ModuleType
from typing import Any

from tests.security.test_access_matrix import _all_operations

import sendesk
from sendesk import operations

UI = Path(sendesk.__file__).parent / "ui"

# Public write operations with no way in from the window, and why. Keep this short and true.
WINDOWLESS = {
    "sendesk.transfer.ctf.import_ctf":
        "Taking SEN status and needs for many pupils from a Common Transfer File is done with "
        "`sendesk-cli transfer import-ctf` for now: it changes the register for a whole intake "
        "at once and belongs with the MIS import on the Transfers page (not yet built there).",
}

# Operations the window reaches through another core function it calls, which calls them.
REACHED_THROUGH = {
    "sendesk.records.specialists.attach_report": (
        "sendesk.records.specialists.attach_report_file",
        "The Specialists tab's Attach report picks a file; attach_report_file reads it (bounded) "
        "and stores it with attach_report."),
    "sendesk.services.users.reset_password": (
        "sendesk.services.users.change_password",
        "The Users window's Reset password sets another user's password through change_password, "
        "which resets it (an administrator's own password needs the current one)."),
    "sendesk.services.users.change_own_password": (
        "sendesk.services.users.change_password",
        "Tools > Change my password asks for the current password and passes it with the new one "
        "to change_password, which hands the user's own change to change_own_password."),
    "sendesk.records.provision_groups.add_member": (
        "sendesk.records.provision_groups.add_members",
        "The Groups page's Add pupils ticks several pupils found by name and adds them all at "
        "once with add_members, which adds each with add_member."),
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(UI.parent.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _load(dotted: str) -> Any:
    """The module or attribute a dotted name stands for (None if it is neither)."""
    try:
        return importlib.import_module(dotted)
    except ImportError:
        base, _, name = dotted.rpartition(".")
        try:
            return getattr(importlib.import_module(base), name, None) if base else None
        except ImportError:
            return None


def _aliases(tree: ast.AST, module: str, is_package: bool) -> dict[str, str]:
    """Each local name an import binds, as the dotted name it stands for."""
    package = module if is_package else module.rpartition(".")[0]
    names: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                names[alias.asname or alias.name.split(".")[0]] = (
                    alias.name if alias.asname else alias.name.split(".")[0])
        elif isinstance(node, ast.ImportFrom):
            base = importlib.util.resolve_name("." * node.level + (node.module or ""), package) \
                if node.level else (node.module or "")
            for alias in node.names:
                names[alias.asname or alias.name] = f"{base}.{alias.name}"
    return names


def _dotted(node: ast.AST) -> list[str] | None:
    """``a.b.c`` as ["a", "b", "c"]; None for anything that is not a plain chain of names."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return [node.id, *reversed(parts)]


def functions_referenced_by_the_window() -> dict[str, set[str]]:
    """Each function (operation or not) a ui module refers to, as module.qualname (an
    operation's spec name), -> the ui modules that refer to it."""
    reached: dict[str, set[str]] = {}
    for path in sorted(UI.rglob("*.py")):
        module = _module_name(path)
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases = _aliases(tree, module, path.name == "__init__.py")
        for node in ast.walk(tree):
            if not isinstance(node, (ast.Attribute, ast.Name)):
                continue
            chain = _dotted(node)
            if not chain or chain[0] not in aliases:
                continue
            target: Any = _load(aliases[chain[0]])
            for attr in chain[1:]:
                if not isinstance(target, ModuleType):
                    break
                target = getattr(target, attr, None)
            if isinstance(target, FunctionType):
                reached.setdefault(f"{target.__module__}.{target.__qualname__}", set()).add(module)
    return reached


def operations_reached_from_the_window() -> dict[str, set[str]]:
    """Operation name -> the ui modules that refer to it, directly or through REACHED_THROUGH."""
    referenced = functions_referenced_by_the_window()
    reached = {name: found for name, found in referenced.items() if name in operations.OPERATIONS}
    for name, (via, _why) in REACHED_THROUGH.items():
        if via in referenced and _calls(via, name):
            reached.setdefault(name, set()).update(referenced[via])
    return reached


def _calls(caller: str, callee: str) -> bool:
    """Whether the caller's own body calls the callee by name."""
    function = inspect.unwrap(_load(caller))
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    short = callee.rpartition(".")[2]
    return any(isinstance(node, ast.Call) and (_dotted(node.func) or [""])[-1] == short
               for node in ast.walk(tree))


def public_writes() -> list[operations.OpSpec]:
    return [spec for spec in _all_operations()
            if spec.writes and not spec.name.rpartition(".")[2].startswith("_")]


def test_every_public_write_operation_has_a_way_in_from_the_window():
    writes = public_writes()
    assert len(writes) >= 50, "the seam lists the core's operations"
    reached = operations_reached_from_the_window()
    missing = sorted(spec.name for spec in writes
                     if spec.name not in reached and spec.name not in WINDOWLESS)
    assert missing == [], ("These core operations cannot be reached from the window; add a way "
                           "in, or put them on WINDOWLESS with the reason: " + ", ".join(missing))


def test_the_windowless_list_is_true():
    """Each entry is a public write operation that really has no way in (else drop it)."""
    names = {spec.name for spec in public_writes()}
    reached = operations_reached_from_the_window()
    assert sorted(set(WINDOWLESS) - names) == [], "not (or no longer) a public write operation"
    assert sorted(set(WINDOWLESS) & set(reached)) == [], "now reachable from the window"
    assert all(len(reason) > 40 for reason in WINDOWLESS.values()), "each says why"


def test_each_operation_reached_through_another_is_called_by_it_from_the_window():
    referenced = functions_referenced_by_the_window()
    for name, (via, why) in REACHED_THROUGH.items():
        assert name not in referenced, f"{name} is now referenced directly; drop it from the list"
        assert via in referenced, f"the window no longer refers to {via}"
        assert _calls(via, name), f"{via} no longer calls {name}"
        assert len(why) > 40


def test_the_scan_follows_imports_and_tells_operations_from_namesakes():
    """The scan itself: the record window's panels reach the contact and note corrections, and
    a function that only shares a name with an operation (the APDR wizard's own save_review, say)
    is not mistaken for one."""
    reached = operations_reached_from_the_window()
    assert "sendesk.ui.contacts_panel" in reached["sendesk.records.contacts.end_contact"]
    assert "sendesk.ui.notes_panel" in reached["sendesk.records.notes.amend_note"]
    assert "sendesk.ui.new_pupil_dialog" in reached["sendesk.records.pupils.add_pupil"]
    assert "sendesk.ui.prompts" not in reached.get("sendesk.records.concerns.finish", set())
    assert all(name in operations.OPERATIONS for name in reached)
