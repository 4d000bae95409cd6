"""The quality department service (品质部)."""
