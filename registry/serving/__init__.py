"""The HTTP server around the rooms: hot read path, change feed, metrics, access log, plumbing."""
