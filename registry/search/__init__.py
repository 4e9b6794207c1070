"""Search over apps: query parameters, full-text queries and keyset pages, the search index."""
