"""Render resources/regie.svg to the PNG sizes desktops ask for, a Windows .ico and a macOS .icns.

Run after changing the SVG (the results are committed):  python installer/make_icons.py
Qt draws the SVG (PySide6's QtSvg, already a dependency), Pillow writes .ico and .icns.
"""

from __future__ import annotations

import sys
from pathlib import Path

from PIL import Image
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtSvg import QSvgRenderer

RESOURCES = Path(__file__).resolve().parents[1] / "resources"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def render(renderer: QSvgRenderer, size: int, path: Path) -> None:
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    if not image.save(str(path)):
        raise SystemExit(f"cannot write {path}")


def main() -> int:
    _app = QGuiApplication([*sys.argv[:1], "-platform", "offscreen"])
    renderer = QSvgRenderer(str(RESOURCES / "regie.svg"))
    if not renderer.isValid():
        raise SystemExit("resources/regie.svg is not a valid SVG")
    pngs = {}
    for size in SIZES:
        pngs[size] = RESOURCES / f"regie-{size}.png"
        render(renderer, size, pngs[size])
    big = Image.open(pngs[512])
    big.save(RESOURCES / "regie.ico", sizes=[(s, s) for s in (16, 24, 32, 48, 64, 128, 256)])
    big.save(RESOURCES / "regie.icns")
    print(f"{len(SIZES)} PNG, regie.ico and regie.icns written in {RESOURCES}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
