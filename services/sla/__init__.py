"""The SLA engine's service: the company calendar, the clocks' marks and alerts, the 16:00 reports."""
