"""The engineering department service (工程部)."""
