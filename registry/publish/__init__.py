"""Publishing a version: reading the request, every check, storing blobs and rows."""
