"""The department services, the gateway and their shared runtime."""
