"""A refused field's red outline keeps the field's own look: the provision library's Save with
a faulty line edit, area of need box (a combo box), and measures box (a text box) outlines
each in red round its edge while inside it is drawn exactly as before and its height does not
change. (A style sheet's border turned the combo box flat, without its own frame and arrow.)"""

from __future__ import annotations

from PySide6.QtGui import QColor, QImage
from tests.gui.test_provision_library_ui import click, library_window, type_into

from sendesk.ui.fault_outline import FAULT_COLOUR, has_fault

EDGE = 3   # px: the outline and the field's own frame beneath it


def _inside(widget) -> QImage:
    image = widget.grab().toImage()
    return image.copy(EDGE, EDGE, image.width() - 2 * EDGE, image.height() - 2 * EDGE)


def _red(image: QImage, x: int, y: int) -> bool:
    colour, wanted = QColor(image.pixel(x, y)), QColor(FAULT_COLOUR)
    return all(abs(a - b) <= 40 for a, b in ((colour.red(), wanted.red()),
                                             (colour.green(), wanted.green()),
                                             (colour.blue(), wanted.blue())))


def test_the_outline_keeps_each_kind_of_fields_own_look(qtbot, senco_session):
    window = library_window(qtbot, senco_session)
    window.resize(1100, 680)
    click(window.new_button)
    form = window.form.widgets
    type_into(form["minutes"], "forty")
    type_into(form["measures"], "Reading age (lower is better)")
    form["name"].setFocus()
    fields = {key: form[key] for key in ("name", "area", "minutes", "measures")}
    heights = {key: widget.height() for key, widget in fields.items()}
    window.grab().save("/tmp/minor19-library-before-save.png")
    form["area"].grab().save("/tmp/minor19-area-plain.png")

    click(window.save_button)
    qtbot.wait(50)
    window.grab().save("/tmp/minor19-library-faults.png")
    form["area"].grab().save("/tmp/minor19-area-outlined.png")
    outlined = {key: widget.grab().toImage() for key, widget in fields.items()}
    for key, widget in fields.items():
        assert has_fault(widget), key
        assert widget.height() == heights[key], f"{key} changed height"
        edge = outlined[key]
        middle = edge.height() // 2
        assert _red(edge, 0, middle) and _red(edge, edge.width() - 1, middle), key
        assert _red(edge, edge.width() // 2, 0), key
    window.form.clear_errors()
    qtbot.wait(50)
    for key, widget in fields.items():
        # Inside the outline, the field as it is drawn with no fault.
        assert not has_fault(widget)
        image = outlined[key]
        assert _inside(widget) == image.copy(EDGE, EDGE, image.width() - 2 * EDGE,
                                             image.height() - 2 * EDGE), \
            f"{key} is drawn differently inside its outline"

    # Saving what is right takes the outlines off.
    click(window.save_button)
    area = form["area"]
    area.setFocus()
    area.setCurrentIndex(1)
    type_into(form["name"], "Lego-based social group")
    type_into(form["minutes"], "40")
    type_into(form["sessions_per_week"], "2")
    type_into(form["measures"], "Reading age")
    click(window.save_button)
    assert window.message.text().startswith("Added"), window.message.text()
    assert not any(has_fault(widget) for widget in fields.values())
