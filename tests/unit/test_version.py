"""``torch.__version__`` names the PyTorch API implemented (with a local label for this package)
and compares as torch's ``TorchVersion`` does; the package's own version is
``torch.version.package_version``."""

from __future__ import annotations

import operator

import pytest

import torchlike_jax as torch

OPERANDS = ["2.0", "2.13", "2.13.0", "2.13.1", "2.14", "1.13.1", "3", (2, 0), (2, 13),
            (2, 13, 0), (2, 14)]


def test_version_names_the_torch_api_with_a_local_label():
    v = torch.__version__
    assert isinstance(v, str)
    assert v.split("+")[0] == "2.13.0"
    assert v.split("+")[1] == "torchlike.jax." + torch.version.package_version
    assert torch.version.__version__ is v
    assert torch.version.cuda is None and torch.version.hip is None
    assert torch.version.debug is False


def test_version_is_a_valid_pep440_version_when_packaging_is_there():
    version = pytest.importorskip("packaging.version")
    parsed = version.Version(torch.__version__)
    assert parsed.release == (2, 13, 0)
    assert parsed.local == "torchlike.jax." + torch.version.package_version


@pytest.mark.torch_live
@pytest.mark.parametrize("other", OPERANDS, ids=str)
def test_comparisons_match_torchs_version_object(other):
    real = pytest.importorskip("torch")
    assert real.__version__.split("+")[0] == torch.__version__.split("+")[0]
    ours, theirs = torch.__version__, real.__version__  # both carry a local label
    for op in (operator.lt, operator.le, operator.gt, operator.ge, operator.eq, operator.ne):
        assert op(ours, other) == op(theirs, other), (op, other)


@pytest.mark.torch_live
@pytest.mark.parametrize("other", ["not a version", "", "abc"], ids=repr)
def test_operands_that_are_not_versions_compare_as_strings(other):
    """Not a version at all: plain string comparison, as torch falls back to. (Pre-release
    operands such as "2.13.0rc1" are not modelled: they compare as strings here.)"""
    real = pytest.importorskip("torch")
    ours, theirs = torch.__version__, real.__version__
    for op in (operator.lt, operator.le, operator.gt, operator.ge, operator.eq):
        assert op(ours, other) == op(theirs, other), (op, other)
