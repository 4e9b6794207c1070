"""The read path's documents: built by pure functions from rows, kept as ready bytes by one
cache."""
