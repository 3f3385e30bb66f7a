"""Qt glue every desktop mode uses: background tasks, live events, language, error texts."""
