"""Commands and queries each service accepts, their replies and errors, and every NATS name."""
