"""The one seam every core operation a person triggers passes through.

In the spirit of calibre's ``read_api``/``write_api`` and Anki's ``CollectionOp``: a public core
function declares once, with :func:`operation`, which permission it needs and how it is
audited. The decorator then does, for every such function and in one place:

* the permission check (before any argument is looked at, so a test can prove the check by
  calling an operation with nothing but a session);
* for writes, one transaction around the whole body (an operation called inside another one
  becomes a savepoint of the outer transaction, as ``Database.transaction`` does);
* the audit entry, written once from what the body said it changed;
* the derived state (summary columns, notifications, schedules), recomputed by the rules
  registered with :func:`derived` after the outermost write and before it commits;
* the :class:`Changes` it made, which the window's runner broadcasts so each page refreshes
  only what changed.

Bodies report what they changed with :func:`changed` (and audited reads with :func:`viewed`)
instead of calling ``session.audit`` or refreshing summaries by hand.
"""

from __future__ import annotations

import contextlib
import enum
import functools
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar

from .errors import SendeskError
from .models.roles import Permission
from .session import Session

P = ParamSpec("P")
R = TypeVar("R")


class Kind(str, enum.Enum):
    """The kinds of record a change can touch; pages refresh by kind."""

    PUPIL = "pupil"                  # a pupil's own details (names, year, class, dates, leaving)
    CONTACT = "contact"
    CONSENT = "consent"
    NOTE = "note"                    # short notes and concerns drafts
    REGISTER = "register"            # other registers (monitoring, medical, EAL, looked after)
    SEN = "sen"                      # SEN status and needs
    NOTIFICATION = "notification"    # parent notifications due and sent
    PATHWAY = "pathway"              # APDR pathways, cycles, plans, delivery, reviews
    SPECIALIST = "specialist"        # referrals, reports, recommendations
    EHC = "ehc"                      # EHC needs assessment requests, EHC plans, readiness
    CALENDAR = "calendar"            # term dates
    TRANSFER = "transfer"            # packages sent and received, receipts, acknowledgements
    DOCUMENT = "document"            # documents exported or printed, attachments
    TEMPLATE = "template"            # the school's letter templates
    USER = "user"
    SETTINGS = "settings"            # the school's own settings
    LIBRARY = "library"              # the school's provision library
    MEASURE = "measure"              # entry and exit measures on a pupil's provision
    GROUP = "group"                  # provision groups: members, timetable slots, shared cost
    EXAM_ACCESS = "exam_access"      # exam access arrangements
    MY_STORY = "my_story"            # the pupil's own account and the consent to share it


@dataclass(frozen=True)
class Changes:
    """What one operation changed: which pupils, which kinds of record, or the whole school."""

    pupils: frozenset[int] = frozenset()
    kinds: frozenset[Kind] = frozenset()
    whole_school: bool = False

    def __bool__(self) -> bool:
        return bool(self.kinds)

    def __or__(self, other: Changes) -> Changes:
        return Changes(self.pupils | other.pupils, self.kinds | other.kinds,
                       self.whole_school or other.whole_school)

    def touches(self, *kinds: Kind) -> bool:
        return any(kind in self.kinds for kind in kinds)

    def touches_pupil(self, pupil_id: int) -> bool:
        """Whether a page showing this pupil needs refreshing."""
        return bool(self.kinds) and (self.whole_school or int(pupil_id) in self.pupils)


NOTHING = Changes()


class Cancelled(SendeskError):
    """The user pressed Cancel on long work that can stop safely; nothing was changed."""


class Progress:
    """Handed to long operations: they report how far they are and learn whether to stop.

    ``report`` raises :class:`Cancelled` once cancel() was called, so an operation stops at its
    next report, inside its transaction, and nothing is written.
    """

    def __init__(self, on_report: Callable[[int, int, str], None] | None = None) -> None:
        self._on_report = on_report
        self._cancelled = threading.Event()

    def cancel(self) -> None:
        self._cancelled.set()

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def report(self, done: int, total: int, text: str = "") -> None:
        if self._cancelled.is_set():
            raise Cancelled("Stopped. Nothing was changed.")
        if self._on_report is not None:
            self._on_report(done, total, text)


@dataclass(frozen=True)
class OpSpec:
    """What an operation declared: read by the access-matrix test and the window-parity test."""

    name: str
    permissions: tuple[Permission, ...]   # any one of them allows the operation
    writes: bool
    audit: str | None


OPERATIONS: dict[str, OpSpec] = {}


@dataclass
class _Frame:
    audit: str | None
    writes: bool = True
    pupils: set[int] = field(default_factory=set)
    kinds: set[Kind] = field(default_factory=set)
    whole_school: bool = False
    target: tuple[str | None, Any] | None = None   # (None, None): audited with no target
    detail: dict[str, Any] = field(default_factory=dict)

    def changes(self) -> Changes:
        return Changes(frozenset(self.pupils), frozenset(self.kinds), self.whole_school)


@dataclass
class _Tracker:
    frames: list[_Frame] = field(default_factory=list)
    total: Changes = NOTHING            # everything the outermost write has changed so far
    collectors: list[list[Changes]] = field(default_factory=list)


# One tracker per session and thread: the window's worker and a test's own thread never share
# a stack of open operations.
_trackers: weakref.WeakKeyDictionary[Session, dict[int, _Tracker]] = weakref.WeakKeyDictionary()
_trackers_lock = threading.Lock()


def _tracker(session: Session) -> _Tracker:
    with _trackers_lock:
        per_thread = _trackers.setdefault(session, {})
        return per_thread.setdefault(threading.get_ident(), _Tracker())


def require_any(session: Session, permissions: tuple[Permission, ...]) -> None:
    """Allow the action if the user holds any one of the permissions (and is still a user).
    An operation called by another one checks the role only: the outer one checked the
    account moments ago, and on the school server each check is a round trip (opening a
    record runs seventeen operations)."""
    held = next((p for p in permissions if session.can(p)), permissions[0])
    if _tracker(session).frames and session.can(held):
        return
    session.require(held)


def operation(*permissions: Permission, writes: bool = True,
              audit: str | None = None) -> Callable[[Callable[P, R]], Callable[P, R]]:
    """Declare a core operation: the permission(s) it needs (any one suffices), whether it
    writes, and the audit action written when it changed (or, for a read, showed) something.

    The decorated function's first argument must be the Session.
    """
    if not permissions:
        raise TypeError("An operation must name the permission it needs.")

    def decorate(fn: Callable[P, R]) -> Callable[P, R]:
        spec = OpSpec(f"{fn.__module__}.{fn.__qualname__}", tuple(permissions), writes, audit)
        OPERATIONS[spec.name] = spec

        @functools.wraps(fn)
        def run(*args: P.args, **kwargs: P.kwargs) -> R:
            session = args[0]
            if not isinstance(session, Session):
                raise TypeError(f"{spec.name} takes a Session first.")
            require_any(session, spec.permissions)
            if not spec.writes:
                return _run_read(session, spec, fn, args, kwargs)
            return _run_write(session, spec, fn, args, kwargs)

        run.operation = spec  # type: ignore[attr-defined]
        return run

    return decorate


def _run_read(session: Session, spec: OpSpec, fn: Callable[..., R], args: Any,
              kwargs: Any) -> R:
    tracker = _tracker(session)
    frame = _Frame(spec.audit, writes=False)
    tracker.frames.append(frame)
    try:
        result = fn(*args, **kwargs)
    finally:
        tracker.frames.pop()
    if spec.audit and frame.target is not None:
        target_type, target_id = frame.target
        if session.db.in_transaction:
            session.audit(spec.audit, target_type, target_id, frame.detail or None)
        else:
            session.audit_now(spec.audit, target_type, target_id, frame.detail or None)
    return result


def _run_write(session: Session, spec: OpSpec, fn: Callable[..., R], args: Any,
               kwargs: Any) -> R:
    tracker = _tracker(session)
    outermost = not any(f.writes for f in tracker.frames)
    frame = _Frame(spec.audit)
    with session.db.transaction():
        tracker.frames.append(frame)
        try:
            result = fn(*args, **kwargs)
            mine = frame.changes()
            if spec.audit and (mine or frame.target is not None):
                _audit(session, spec.audit, frame)
            if outermost:
                tracker.total = tracker.total | mine
                _run_rules(session, tracker)
                _announce(session, tracker.total)
            else:
                tracker.total = tracker.total | mine
        except BaseException:
            if outermost:
                tracker.total = NOTHING
            raise
        finally:
            tracker.frames.pop()
    if outermost:
        done, tracker.total = tracker.total, NOTHING
        for box in tracker.collectors:
            box.append(done)
    return result


def _announce(session: Session, done: Changes) -> None:
    """Tell the other PCs what this write changed, in its own transaction (on the school
    server a NOTIFY, delivered only if the write commits; nothing on the file, where
    ui/outside_changes.py watches the file's data version instead)."""
    if done:
        session.db.announce(sorted(kind.value for kind in done.kinds), sorted(done.pupils),
                            done.whole_school)


def _audit(session: Session, action: str, frame: _Frame) -> None:
    if frame.target is not None:
        target_type, target_id = frame.target
        detail = dict(frame.detail)
    elif len(frame.pupils) == 1:
        target_type, target_id = "pupil", next(iter(frame.pupils))
        detail = dict(frame.detail)
    elif frame.pupils:
        target_type, target_id = "school", None
        detail = {**frame.detail, "pupils": len(frame.pupils)}
    else:
        target_type, target_id = "school", None
        detail = dict(frame.detail)
    session.audit(action, target_type, target_id, detail or None)


def changed(session: Session, kind: Kind, /, pupils: int | Iterable[int] | None = None, *,
            whole_school: bool = False, target: tuple[str | None, Any] | None = None,
            **detail: Any) -> None:
    """Say, from inside an operation's body, what it changed.

    ``pupils`` is one pupil id or several; ``whole_school`` marks a change every page must
    reread (an import, a term-dates change). ``target`` overrides the audit entry's target
    (for example ``("user", user_id)``); ``detail`` is merged into the audit entry's detail.
    (``session`` and ``kind`` are positional-only, so a detail key may be called ``kind``.)
    """
    tracker = _tracker(session)
    if not tracker.frames:
        raise SendeskError(f"changed({kind.value}) was called outside an operation.")
    frame = tracker.frames[-1]
    frame.kinds.add(kind)
    if pupils is not None:
        if isinstance(pupils, int):
            frame.pupils.add(int(pupils))
        else:
            frame.pupils.update(int(p) for p in pupils)
    frame.whole_school = frame.whole_school or whole_school
    if target is not None:
        frame.target = target
    frame.detail.update(detail)


def viewed(session: Session, target_type: str | None, target_id: Any = None,
           **detail: Any) -> None:
    """Say, from inside an audited read, what was read (audited once the read succeeds)."""
    tracker = _tracker(session)
    if not tracker.frames:
        raise SendeskError("viewed() was called outside an operation.")
    frame = tracker.frames[-1]
    frame.target = (target_type, target_id)
    frame.detail.update(detail)


@contextlib.contextmanager
def collect(session: Session) -> Iterator[list[Changes]]:
    """Gather the Changes of every outermost write made while inside (the window's runner
    uses this to broadcast what an operation changed)."""
    tracker = _tracker(session)
    box: list[Changes] = []
    tracker.collectors.append(box)
    try:
        yield box
    finally:
        tracker.collectors.remove(box)


def merged(boxes: list[Changes]) -> Changes:
    result = NOTHING
    for item in boxes:
        result = result | item
    return result


# Derived state -------------------------------------------------------------------------------

Rule = Callable[[Session, Changes], None]
_RULES: list[tuple[frozenset[Kind], Rule]] = []


def derived(*kinds: Kind) -> Callable[[Rule], Rule]:
    """Register a rule that recomputes derived state after any write touching these kinds.

    Rules run in the order they were registered (all in ``records/derived.py``), inside the
    outermost write's transaction, once per operation. A rule may itself call
    :func:`changed`; what it reports is added to the operation's changes (so a rule that
    opens a notification makes later rules, such as the summary columns, see it).
    """
    def register(rule: Rule) -> Rule:
        _RULES.append((frozenset(kinds), rule))
        return rule

    return register


def rules() -> list[tuple[frozenset[Kind], Rule]]:
    return list(_RULES)


def _run_rules(session: Session, tracker: _Tracker) -> None:
    frame = _Frame(None)
    tracker.frames.append(frame)
    try:
        for kinds, rule in _RULES:
            current = tracker.total | frame.changes()
            if current.kinds & kinds:
                rule(session, current)
    finally:
        tracker.frames.pop()
    tracker.total = tracker.total | frame.changes()

