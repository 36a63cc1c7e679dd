"""Helpers shared by several test groups and by the fixture recorders in ``tools/``.

Nothing here is collected as a test; modules that real torch must import too (the optimizer
scenarios, the serialization describer, the DataLoader worker datasets) import neither pytest
nor torch.
"""
