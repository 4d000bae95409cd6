"""Reports built from the read models: meeting schedules, Excel exports and meeting packs."""
