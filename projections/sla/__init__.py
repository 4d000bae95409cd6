"""The SLA engine's pure parts: clock declarations, the clock fold, the SLA read model."""
