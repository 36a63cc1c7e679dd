"""The test suite, a package so tests and tools import its helpers by one absolute name.

``tests.unit``, ``tests.ops``, ``tests.differential`` and ``tests.properties`` hold the tests
(see tests/README.md); ``tests.support`` and ``tests.opinfo`` hold what they share.
"""
