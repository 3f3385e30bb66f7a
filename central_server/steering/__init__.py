"""Steering an office: the supervisor's live board, the services each desk calls, stopping and
resuming a service's tickets for the day, and its daily contingent."""
