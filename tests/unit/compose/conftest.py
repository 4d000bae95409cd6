"""The compose file's fixtures for this folder's tests."""
from tests.unit.compose.reading import compose, nats_nodes, salesflow_services, services  # noqa: F401 - fixtures, used by name
