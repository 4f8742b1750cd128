"""A sound per encoding outcome, so the operator need not look up between two cards.

PySide6-Essentials has no QtMultimedia: the sound is the system bell, rung once for a card
done, twice for a card already encoded (nothing written), three times for a failure. With
QtMultimedia installed (PySide6-Addons), short tones of distinct pitches are played instead.
"""

from __future__ import annotations

import math
import struct
import tempfile
import wave
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, QUrl
from PySide6.QtWidgets import QApplication

from regie.cards.encoding import Outcome

RINGS = {Outcome.ENCODED: 1, Outcome.REENCODED: 1, Outcome.ALREADY_ENCODED: 2, Outcome.FAILED: 3}
RING_GAP_MS = 160
# Hz of the tones, when they can be played: high for good, low for a failure.
TONES = {
    Outcome.ENCODED: (1320,),
    Outcome.REENCODED: (990, 1320),
    Outcome.ALREADY_ENCODED: (880, 880),
    Outcome.FAILED: (220, 180),
}
RATE = 22050


def write_tone(path: Path, pitches: tuple[int, ...], ms: int = 110) -> None:
    """A mono 16-bit WAV: each pitch for ``ms`` milliseconds, with a short fade."""
    frames = bytearray()
    length = RATE * ms // 1000
    for pitch in pitches:
        for n in range(length):
            fade = min(1.0, n / 200, (length - n) / 200)
            sample = int(12000 * fade * math.sin(2 * math.pi * pitch * n / RATE))
            frames += struct.pack("<h", sample)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(bytes(frames))


class Chime(QObject):
    """Plays the outcome's sound when ``enabled``; never raises (no sound card, no audio)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.enabled = True
        self._effects: dict[Outcome, Any] | None = None

    def play(self, outcome: Outcome) -> None:
        if not self.enabled:
            return
        effect = self._effect(outcome)
        if effect is not None:
            effect.play()
            return
        for ring in range(RINGS[outcome]):
            QTimer.singleShot(ring * RING_GAP_MS, QApplication.beep)

    def _effect(self, outcome: Outcome) -> Any:
        if self._effects is None:
            self._effects = {}
            try:
                from PySide6.QtMultimedia import QSoundEffect
            except ImportError:
                return None
            folder = Path(tempfile.mkdtemp(prefix="regie-sounds-"))
            for kind, pitches in TONES.items():
                path = folder / f"{kind.value}.wav"
                write_tone(path, pitches)
                effect = QSoundEffect(self)
                effect.setSource(QUrl.fromLocalFile(str(path)))
                self._effects[kind] = effect
        return self._effects.get(outcome)
