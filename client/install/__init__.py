"""``nestry install`` as a pipeline: resolve, fetch, verify, check, build, write, lock."""
