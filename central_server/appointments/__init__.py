"""Appointments from the office's booking system: pushed, listed, checked in at the kiosk."""
