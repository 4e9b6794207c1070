"""``nestry-registry backup`` and ``restore``: a consistent snapshot of the database and of
every blob it references, with a manifest that lets a restore check each byte.

Consistency comes from the order: the database is snapshotted first, in one transaction, and
the blobs that snapshot references are copied after it. Blobs are content-addressed and never
change, and a publish stores its blobs before the rows that reference them commit, so every
blob the snapshot names is in the store when it is copied (``gc`` removes only unreferenced
blobs past a grace period).
"""
