"""Applications and their versions as readers see them: endpoints, lookup, dependents, downloads,
deletion."""
