"""Who is calling and what they may do: credentials, principals, permissions, access, the
limiter."""
