"""Write resources/sounds/emergency.wav: the alarm the other desks hear on an emergency call.

A two-tone alarm (960 Hz and 770 Hz, a quarter second each, twice: 1 s), square-ish for
loudness over a busy office's noise, 16-bit mono at 44.1 kHz (what every sound device plays),
faded in and out by 5 ms so it does not click. The desk plays it in a loop until someone
answers or the call ends. Run once; the file is committed (``python scripts/make_alarm_sound.py``).
"""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

RATE = 44100
TONES = (960.0, 770.0, 960.0, 770.0)
TONE_SECONDS = 0.25
FADE = int(RATE * 0.005)
LOUDNESS = 0.95


def samples() -> list[int]:
    out: list[int] = []
    per_tone = int(RATE * TONE_SECONDS)
    for frequency in TONES:
        for i in range(per_tone):
            # A sine with its odd harmonics (peaks at 0.93): near a square wave, loud, not harsh.
            t = i / RATE
            value = sum(math.sin(2 * math.pi * frequency * k * t) / k for k in (1, 3, 5))
            envelope = min(1.0, i / FADE, (per_tone - i) / FADE)
            out.append(int(32767 * LOUDNESS * envelope * value))
    return out


def main() -> None:
    target = Path(__file__).resolve().parent.parent / "resources" / "sounds" / "emergency.wav"
    with wave.open(str(target), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        data = samples()
        wav.writeframes(struct.pack(f"<{len(data)}h", *data))
    print(target)


if __name__ == "__main__":
    main()
