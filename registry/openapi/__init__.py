"""The OpenAPI 3.1 document of the registry's HTTP API, served at ``GET /v1/openapi.json``."""
