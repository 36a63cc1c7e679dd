"""Run a torch script with ``torch`` (and every ``torch.<sub>`` module) bound to torchlike_jax.

``python tests/support/run_as_torch.py script.py``. Binding only ``sys.modules['torch']`` is not
enough: ``from torch.autograd import Variable`` would import a second copy of
``torchlike_jax.autograd`` under the name ``torch.autograd`` (with its own ``Tensor`` class). A
meta-path finder answers every ``torch.X`` import with the already-imported ``torchlike_jax.X``
module instead.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.util
import runpy
import sys


class _AliasLoader(importlib.abc.Loader):
    def __init__(self, target: str) -> None:
        self.target = target

    def create_module(self, spec):
        return importlib.import_module(self.target)

    def exec_module(self, module) -> None:  # already executed under its real name
        pass


class _TorchAlias(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        if fullname.startswith("torch."):
            real = "torchlike_jax." + fullname[len("torch."):]
            return importlib.util.spec_from_loader(fullname, _AliasLoader(real))
        return None


def main() -> None:
    import torchlike_jax

    sys.modules["torch"] = torchlike_jax
    sys.meta_path.insert(0, _TorchAlias())
    script = sys.argv[1]
    sys.argv = sys.argv[1:]
    runpy.run_path(script, run_name="__main__")


if __name__ == "__main__":
    main()
