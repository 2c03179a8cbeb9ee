"""Build-time only: turn resources/icons/sendesk.svg into the icons a bundle needs.

Writes OUT/sendesk.ico (16 to 256 px, for the Windows executables, the installer and the
transfer-file association) and OUT/sendesk.png (256 px, for Linux desktop files). The SVG is
drawn by Qt (already a dependency) and Pillow packs the sizes into one .ico; Pillow is a build
requirement only and is never put in the bundle.

usage: python installer/make_icons.py [OUT]   (default: build/icons)
"""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SVG = ROOT / "resources" / "icons" / "sendesk.svg"
SIZES = (16, 24, 32, 48, 64, 128, 256)


def render(size: int) -> bytes:
    """The SVG drawn at size x size pixels, as PNG bytes."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise SystemExit(f"make_icons: cannot read {SVG}")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data)


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else ROOT / "build" / "icons"
    out.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PIL import Image
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(["make_icons"])  # noqa: F841 - Qt needs one
    images = {size: Image.open(io.BytesIO(render(size))).convert("RGBA") for size in SIZES}
    largest = images[max(SIZES)]
    largest.save(out / "sendesk.png")
    # Each size is drawn from the vector, not scaled down from 256 px, so small icons stay sharp.
    largest.save(out / "sendesk.ico", format="ICO", sizes=[(s, s) for s in SIZES],
                 append_images=[images[s] for s in SIZES if s != max(SIZES)])
    print(f"make_icons: wrote {out / 'sendesk.ico'} and {out / 'sendesk.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
