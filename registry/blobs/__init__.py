"""The blob store seam: where template and bundle bytes live, by digest.

``open_blob_store(url)`` picks the backend from ``NESTRY_BLOB_URL``: ``file:///path`` (local
files, the embedded default) or ``s3://bucket/prefix`` (any S3-compatible service). Everything
else in the registry sees only ``BlobStore`` (``registry.blobs.store``); ``fsck``/``gc``
(``registry.blobs.fsck``) compare what is stored with what the rows reference.
"""
