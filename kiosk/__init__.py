"""The lobby kiosk: touch screen, ticket layout, thermal printers. Built in issue #4."""
