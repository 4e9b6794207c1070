"""Domain operations on the database, shared by endpoints and the CLI."""
