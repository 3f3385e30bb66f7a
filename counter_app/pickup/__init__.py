"""The quick-pickup desk (Schnellschalter): calls P tickets, reads pickup receipts, hands over."""
