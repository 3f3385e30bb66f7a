"""Tickets: creating them, calling them, and every action on them."""
