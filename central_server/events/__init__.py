"""The append-only event log of every change, and its live stream (server-sent events)."""
