"""The registry's HTTP API as a client: ``RegistryClient``, its errors, the organization
endpoints."""
