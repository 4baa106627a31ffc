"""Compare cited metadata with registered records; pure functions over a lookup callable."""
