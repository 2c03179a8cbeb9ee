"""The lazy table fetches only what is shown, and passes Qt's own model checks."""

from __future__ import annotations

from PySide6.QtCore import Qt

from sendesk.ui.lazy_table import BLOCK, Column, LazyTableModel


def make_model(count: int):
    fetched: list[list[int]] = []

    def fetch(ids):
        fetched.append(list(ids))
        return [{"name": f"Pupil {i}", "year": str(i % 14)} for i in ids]

    model = LazyTableModel([Column("name", "Name"), Column("year", "Year", align_right=True)], fetch)
    model.set_ids(list(range(count)))
    return model, fetched


def test_model_passes_qt_model_tester(qtmodeltester):
    model, _ = make_model(500)
    qtmodeltester.check(model, force_py=True)


def test_only_the_rows_shown_are_fetched(qtbot):
    model, fetched = make_model(60_000)
    assert model.rowCount() == 60_000 and fetched == []
    assert model.data(model.index(0, 0)) == "Pupil 0"
    assert len(fetched) == 1 and len(fetched[0]) <= BLOCK
    model.data(model.index(5, 1))
    assert len(fetched) == 1, "rows in the same block come from the cache"
    assert model.data(model.index(59_999, 0)) == "Pupil 59999"
    assert len(fetched) == 2
    assert model.data(model.index(3, 1), Qt.ItemDataRole.TextAlignmentRole)


def test_invalidating_one_row_refetches_only_that_block(qtbot):
    model, fetched = make_model(1000)
    model.data(model.index(0, 0))
    with qtbot.waitSignal(model.dataChanged):
        model.invalidate([3])
    model.data(model.index(3, 0))
    assert len(fetched) == 2
    model.data(model.index(4, 0))
    assert len(fetched) == 2


def test_an_async_fetch_shows_placeholders_until_the_block_arrives(qtbot):
    asked: list[tuple[list[int], object]] = []
    model = LazyTableModel([Column("name", "Name")], lambda ids: [], fetch_async=lambda ids, deliver:
                           asked.append((list(ids), deliver)))
    model.set_ids(list(range(1000)))
    assert model.data(model.index(0, 0)) == "" and len(asked) == 1
    assert model.data(model.index(1, 0)) == "" and len(asked) == 1, "one request per block"
    with qtbot.waitSignal(model.dataChanged):
        ids, deliver = asked[0]
        deliver(ids, [{"name": f"Pupil {i}"} for i in ids])
    assert model.data(model.index(1, 0)) == "Pupil 1" and len(asked) == 1
    model.invalidate([1])
    assert model.data(model.index(1, 0)) == "" and len(asked) == 2
    stale_ids, stale = asked[1]
    model.invalidate()   # a newer change: the block asked for before it is dropped when it comes
    stale(stale_ids, [{"name": "old"} for _ in stale_ids])
    assert model.data(model.index(1, 0)) == ""


def test_the_rest_of_a_list_is_added_below_the_rows_shown_only_if_it_follows_them(qtbot):
    """extend_ids keeps the rows shown (and so the selection) when the whole list starts with
    them, and changes nothing when it does not (the records changed in between)."""
    model, _ = make_model(3)
    inserted = []
    model.rowsInserted.connect(lambda parent, first, last: inserted.append((first, last)))
    assert model.extend_ids([0, 1, 2, 3, 4]) and model.ids() == [0, 1, 2, 3, 4]
    assert inserted == [(3, 4)] and model.data(model.index(4, 0)) == "Pupil 4"
    assert not model.extend_ids([0, 2, 1, 3, 4, 5]) and model.ids() == [0, 1, 2, 3, 4]
    assert model.extend_ids([0, 1, 2, 3, 4]) and inserted == [(3, 4)]
