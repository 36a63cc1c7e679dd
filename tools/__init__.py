"""Maintenance scripts: fixture recorders, generated tables, cost probes.

A package so the tests can import a recorder's snippets (``tools.record_testing_fixtures``)
instead of loading it from a file path; each module still runs as ``python tools/<name>.py``.
"""
