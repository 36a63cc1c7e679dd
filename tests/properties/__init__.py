"""Property tests: hypothesis-generated programs checked against invariants and JAX."""
