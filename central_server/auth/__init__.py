"""Logins, device tokens, and who may do what where."""
