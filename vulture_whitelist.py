"""Names vulture cannot see used: read by a framework or the standard library."""
