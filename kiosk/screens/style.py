"""Looks of the kiosk: high contrast, large type, touch targets of at least 15 mm.

A lobby kiosk's screen (21.5" to 32", 1920x1080) has 2.7 to 4 pixels per millimetre, so
15 mm is at most 60 px; the buttons are well above that.
"""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtWidgets import QWidget

W = TypeVar("W", bound=QWidget)


def named(widget: W, name: str) -> W:
    """``widget`` with its stable object name (for automation and the style sheet)."""
    widget.setObjectName(name)
    return widget


MIN_TOUCH_PX = 60
SERVICE_BUTTON_HEIGHT = 150
LANGUAGE_BUTTON_HEIGHT = 96

STYLE = """
QWidget#kioskWindow, QWidget#startScreen, QWidget#ticketConfirmation,
QWidget#appointmentScreen {
    background: #ffffff; color: #111111;
}
QLabel { color: #111111; }
QLabel#siteName { font-size: 30px; font-weight: 600; color: #333333; }
QLabel#prompt { font-size: 44px; font-weight: 700; }
QLabel#notice {
    font-size: 28px; font-weight: 600; color: #ffffff; background: #b00020;
    padding: 18px; border-radius: 10px;
}
QLabel#statusNote {
    font-size: 24px; color: #111111; background: #ffe08a; padding: 12px; border-radius: 8px;
}
QLabel#kioskRefused {
    font-size: 30px; color: #111111; background: #ffffff; border: 6px solid #b00020;
    border-radius: 12px; padding: 28px;
}
QPushButton[kind="service"] {
    background: #0b3d91; border: none; border-radius: 16px; text-align: left;
}
QPushButton[kind="service"]:pressed { background: #082a66; }
QPushButton[kind="service"]:disabled { background: #d9d9d9; }
QLabel[role="badge"] {
    font-size: 54px; font-weight: 800; color: #0b3d91; background: #ffffff;
    border-radius: 12px; min-width: 96px; max-width: 96px; min-height: 96px; max-height: 96px;
}
QLabel[role="serviceName"] { font-size: 34px; font-weight: 700; color: #ffffff; }
QLabel[role="serviceHint"] { font-size: 24px; color: #e6ecf7; }
QLabel[role="serviceName"][closed="true"] { color: #333333; }
QLabel[role="serviceHint"][closed="true"] { color: #5a0010; font-weight: 600; }
QLabel[role="badge"][closed="true"] { color: #666666; }
QPushButton[kind="appointment"] {
    background: #ffffff; border: 5px solid #0b3d91; border-radius: 16px;
}
QPushButton[kind="appointment"]:pressed { background: #e6ecf7; }
QLabel#appointmentButtonName { font-size: 34px; font-weight: 700; color: #0b3d91; }
QLabel#appointmentButtonHint { font-size: 24px; color: #333333; }
QPushButton[kind="language"] {
    font-size: 28px; font-weight: 600; color: #0b3d91; background: #ffffff;
    border: 3px solid #0b3d91; border-radius: 14px; padding: 8px 18px;
}
QPushButton[kind="language"]:checked { color: #ffffff; background: #0b3d91; }
QPushButton[kind="action"] {
    font-size: 32px; font-weight: 700; color: #ffffff; background: #0b3d91;
    border: none; border-radius: 14px; padding: 16px 36px; min-height: 96px;
}
QPushButton[kind="action"]:pressed { background: #082a66; }
QLabel#yourNumber { font-size: 36px; }
QLabel#confirmedNumber { font-size: 200px; font-weight: 800; }
QLabel#confirmedService { font-size: 34px; font-weight: 700; }
QLabel#confirmedWait { font-size: 30px; }
QLabel#printStatus { font-size: 32px; font-weight: 700; padding: 16px; border-radius: 10px; }
QLabel#printStatus[fault="true"] { color: #ffffff; background: #b00020; }
QLabel#printStatus[fault="false"] { color: #0b3d91; background: #e6ecf7; }
QLabel#ticketPreview { background: #f0f0f0; padding: 12px; }
QWidget#pickupScreen { background: #ffffff; }
QLabel#pickupTitle { font-size: 44px; font-weight: 700; }
QLabel#pickupInstruction { font-size: 30px; }
QLabel#pickupAnswer {
    font-size: 30px; font-weight: 700; color: #ffffff; background: #b00020;
    padding: 18px; border-radius: 10px;
}
QLabel#appointmentTitle { font-size: 44px; font-weight: 700; }
QLabel#appointmentInstruction { font-size: 30px; }
QLabel#appointmentAnswer {
    font-size: 30px; font-weight: 700; color: #ffffff; background: #b00020;
    padding: 18px; border-radius: 10px;
}
QLabel#appointmentAnswer[calm="true"] { color: #0b3d91; background: #e6ecf7; }
QLabel#confirmedAppointment { font-size: 40px; font-weight: 800; color: #0b3d91; }
QLineEdit#pickupCodeEdit, QLineEdit#appointmentCodeEdit {
    font-size: 40px; font-weight: 700; letter-spacing: 2px; padding: 14px;
    border: 3px solid #0b3d91; border-radius: 12px; color: #111111; background: #ffffff;
}
QPushButton[kind="key"] {
    font-size: 34px; font-weight: 700; color: #0b3d91; background: #ffffff;
    border: 3px solid #0b3d91; border-radius: 12px; min-height: 88px; min-width: 88px;
}
QPushButton[kind="key"]:pressed { color: #ffffff; background: #0b3d91; }
QWidget#appointmentKeys QPushButton[kind="key"] { min-width: 60px; }
"""
