"""Desks: who is signed on where, breaks, and what each desk serves."""
