"""The display's chime: a two-tone "ding-dong" made here as a WAV file, nothing downloaded.

Two bell-like notes (E5, then C5), each a sine with two quieter overtones and a soft attack,
dying away exponentially; 1.4 s, 22.05 kHz, 16-bit mono (about 60 kB).
"""

from __future__ import annotations

import io
import math
import wave
from array import array
from functools import cache

RATE = 22050
NOTES = ((659.25, 0.0), (523.25, 0.5))  # (frequency in Hz, start in s)
LENGTH = 1.4
DECAY = 0.35  # seconds for the sound to fall to 1/e
ATTACK = 0.006
OVERTONES = ((1.0, 1.0), (2.0, 0.28), (3.0, 0.08))  # (multiple, loudness)
PEAK = 0.6


def samples() -> list[float]:
    count = int(RATE * LENGTH)
    out = [0.0] * count
    for frequency, start in NOTES:
        first = int(start * RATE)
        for i in range(first, count):
            t = (i - first) / RATE
            envelope = min(1.0, t / ATTACK) * math.exp(-t / DECAY)
            out[i] += envelope * sum(
                level * math.sin(2 * math.pi * frequency * multiple * t)
                for multiple, level in OVERTONES
            )
    loudest = max(abs(v) for v in out) or 1.0
    fade = int(0.05 * RATE)  # no click at the end
    for k in range(fade):
        out[count - 1 - k] *= k / fade
    return [v * PEAK / loudest for v in out]


@cache
def wav() -> bytes:
    data = array("h", (round(v * 32767) for v in samples()))
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as file:
        file.setnchannels(1)
        file.setsampwidth(2)
        file.setframerate(RATE)
        file.writeframes(data.tobytes())
    return buffer.getvalue()
