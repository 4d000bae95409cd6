"""The ``salesflow`` command line."""
