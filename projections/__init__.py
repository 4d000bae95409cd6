"""Read models rebuilt from the events alone: summary tables, audit trail, SLA picture."""
