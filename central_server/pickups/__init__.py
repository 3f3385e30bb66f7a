"""Pickups (issue #5): a document is ordered at the counter, marked ready on its shelf slot,
the citizen checks in at the kiosk with the receipt's QR code, and quick-pickup staff hand it
over once, after an ID check."""
