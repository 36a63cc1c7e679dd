"""Differential tests: the same snippet against real torch and torchlike_jax."""
