"""Differential tests: the same code against real torch (live, or its recorded answers).

``cases`` and ``harness`` are the snippet table and observer shared with
``tools/record_torch_fixtures.py``.
"""
