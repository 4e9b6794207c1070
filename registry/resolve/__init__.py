"""``POST /v1/resolve``: (application, range) requests resolved into trees of exact versions."""
