"""The production department service (生产部, with PMC planning)."""
