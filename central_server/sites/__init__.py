"""Sites, their services (with opening hours) and desks."""
