"""The HTTP gateway: one door for every command and query, with sign-in and roles."""
