"""The Qt front end. It depends on the core; nothing in the core depends on it."""
