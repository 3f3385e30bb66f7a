"""Statistics and reports of a site or an organisation's sites (issue 14)."""
