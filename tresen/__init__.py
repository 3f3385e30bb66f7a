"""The ``tresen`` command: one entry point for the server and every desktop mode."""
