"""The HTTP gateway: the API and the dashboard in front of the NATS commands and queries."""
