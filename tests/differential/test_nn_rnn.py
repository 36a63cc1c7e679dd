"""Recurrent layers and ``nn.utils.rnn`` against real torch, live.

Each module is built under both libraries, torch's weights copied into ours through
``load_state_dict``; on the same inputs (padded, unbatched or packed with unsorted lengths,
with or without initial states) the outputs, final states, their ``grad_fn`` names, the
gradients of a weighted sum with respect to the inputs and every parameter must agree. Also
reprs, state-dict keys/shapes both ways, torch's init bounds, error messages, and the
pad/pack utilities.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import torchlike_jax as torch
from torchlike_jax import nn
from torchlike_jax.nn.utils import rnn as U

pytestmark = pytest.mark.torch_live

RTOL, ATOL = 1e-4, 1e-5


def np_(t):
    return np.asarray(t.detach().numpy())


def randn(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def close(a, b, rtol=RTOL, atol=ATOL):
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape and a.dtype == b.dtype, (a.shape, b.shape, a.dtype, b.dtype)
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


def flat(out):
    """Tensors of a (nested) result; a PackedSequence contributes its data, and its index
    tensors are returned separately for an exact comparison."""
    tensors, ints = [], []
    if hasattr(out, "batch_sizes"):
        tensors.append(out.data)
        ints += [out.batch_sizes, out.sorted_indices, out.unsorted_indices]
    elif isinstance(out, (tuple, list)):
        for o in out:
            t, i = flat(o)
            tensors += t
            ints += i
    else:
        tensors.append(out)
    return tensors, ints


def copy_weights(ours, theirs):
    state = {k: torch.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()}
    assert repr(ours.load_state_dict(state)) == "<All keys matched successfully>"


def run_both(real, make, call, *, train=False, grad_fns=True):
    """``make(lib)`` -> module; ``call(lib, module, leaves)`` -> result, where ``leaves`` are
    the library's input tensors (built from the same numpy arrays)."""
    real.manual_seed(0)
    theirs = make(real)
    ours = make(torch)
    assert repr(ours) == repr(theirs)
    copy_weights(ours, theirs)
    theirs.train(train)
    ours.train(train)
    arrays = call(None, None, None)
    t_leaves = [real.tensor(a, requires_grad=True) for a in arrays]
    o_leaves = [torch.tensor(a, requires_grad=True) for a in arrays]
    t_out, t_ints = flat(call(real, theirs, t_leaves))
    o_out, o_ints = flat(call(torch, ours, o_leaves))
    assert len(t_out) == len(o_out)
    for t, o in zip(t_ints, o_ints, strict=True):
        assert (t is None) == (o is None)
        if t is not None:
            assert o.dtype == torch.int64 and np_(o).tolist() == t.numpy().tolist()
    for t, o in zip(t_out, o_out, strict=True):
        assert str(o.dtype) == str(t.dtype)
        close(np_(o), t.detach().numpy())
        if grad_fns:
            assert type(o.grad_fn).__name__ == type(t.grad_fn).__name__
    rng = np.random.default_rng(1)
    weights = [rng.standard_normal(tuple(t.shape)).astype(np.float32) for t in t_out]
    sum(((t * real.tensor(w, dtype=t.dtype)).sum() for t, w in zip(t_out, weights,
                                                                     strict=True))).backward()
    sum(((o * torch.tensor(w, dtype=o.dtype)).sum() for o, w in zip(o_out, weights,
                                                                     strict=True))).backward()
    for t, o in zip(t_leaves, o_leaves, strict=True):
        if t.grad is None:
            assert o.grad is None
        else:
            close(np_(o.grad), t.grad.numpy())
    for (name, tp), (oname, op) in zip(theirs.named_parameters(), ours.named_parameters(),
                                       strict=True):
        assert name == oname
        close(np_(op.grad), tp.grad.numpy())
    return ours, theirs


def _plain(*shape, states=(), dtype=np.float32):
    """A call on a padded (or unbatched) input plus optional initial states (shapes given)."""
    def call(T, m, leaves):
        if T is None:
            return [a.astype(dtype) for a in
                    [randn(*shape)] + [randn(*s, seed=k + 1) for k, s in enumerate(states)]]
        x, *hs = leaves
        if not hs:
            return m(x)
        return m(x, tuple(hs)) if len(hs) == 2 else m(x, hs[0])
    return call


def _packed(lengths, feat, states=(), batch_first=False):
    """A call on ``pack_padded_sequence(x, lengths, enforce_sorted=False)``; the result's packed
    output is padded back, so the padded values and the packed data are both compared."""
    steps, batch = max(lengths), len(lengths)

    def call(T, m, leaves):
        if T is None:
            shape = (batch, steps, feat) if batch_first else (steps, batch, feat)
            return [randn(*shape)] + [randn(*s, seed=k + 1) for k, s in enumerate(states)]
        x, *hs = leaves
        packed = T.nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=batch_first,
                                                      enforce_sorted=False)
        hx = None if not hs else tuple(hs) if len(hs) == 2 else hs[0]
        out, h = m(packed, hx)
        padded, lens = T.nn.utils.rnn.pad_packed_sequence(out, batch_first=batch_first)
        return out, h, padded
    return call


L = [5, 2, 4]  # unsorted lengths, longest first-but-not-sorted

MODULE_CASES = {
    "lstm": (lambda T: T.nn.LSTM(4, 6), _plain(5, 3, 4)),
    "lstm_2l_bidi_h0": (lambda T: T.nn.LSTM(4, 6, num_layers=2, bidirectional=True),
                        _plain(5, 3, 4, states=((4, 3, 6), (4, 3, 6)))),
    "lstm_batch_first": (lambda T: T.nn.LSTM(4, 6, batch_first=True), _plain(3, 5, 4)),
    "lstm_proj_2l_bidi": (lambda T: T.nn.LSTM(4, 6, num_layers=2, bidirectional=True,
                                              proj_size=3),
                          _plain(5, 3, 4, states=((4, 3, 3), (4, 3, 6)))),
    "lstm_unbatched_nobias": (lambda T: T.nn.LSTM(4, 6, bias=False),
                              _plain(5, 4, states=((1, 6), (1, 6)))),
    "lstm_unbatched_batch_first": (lambda T: T.nn.LSTM(4, 6, batch_first=True, bias=False),
                                   _plain(5, 4)),
    "lstm_packed": (lambda T: T.nn.LSTM(4, 6), _packed(L, 4)),
    "lstm_packed_bidi_2l_h0": (lambda T: T.nn.LSTM(4, 6, num_layers=2, bidirectional=True,
                                                   batch_first=True),
                               _packed(L, 4, states=((4, 3, 6), (4, 3, 6)), batch_first=True)),
    "lstm_packed_proj": (lambda T: T.nn.LSTM(4, 6, proj_size=2, bidirectional=True),
                         _packed(L, 4)),
    "lstm_double": (lambda T: T.nn.LSTM(4, 6).double(), _plain(5, 3, 4, dtype=np.float64)),
    "gru": (lambda T: T.nn.GRU(4, 6), _plain(5, 3, 4)),
    "gru_2l_bidi_bf_h0": (lambda T: T.nn.GRU(4, 6, 2, batch_first=True, bidirectional=True),
                          _plain(3, 5, 4, states=((4, 3, 6),))),
    "gru_unbatched_h0": (lambda T: T.nn.GRU(4, 6), _plain(5, 4, states=((1, 6),))),
    "gru_packed_bidi": (lambda T: T.nn.GRU(4, 6, bidirectional=True, bias=False),
                        _packed(L, 4, states=((2, 3, 6),))),
    "rnn_tanh": (lambda T: T.nn.RNN(4, 6), _plain(5, 3, 4)),
    "rnn_relu_2l_bidi": (lambda T: T.nn.RNN(4, 6, 2, "relu", bidirectional=True),
                         _plain(5, 3, 4, states=((4, 3, 6),))),
    "rnn_batch_first": (lambda T: T.nn.RNN(4, 6, batch_first=True, nonlinearity="relu"),
                        _plain(3, 5, 4)),
    "rnn_packed_bidi": (lambda T: T.nn.RNN(4, 6, bidirectional=True), _packed(L, 4)),
    "rnn_cell": (lambda T: T.nn.RNNCell(4, 6), _plain(3, 4)),
    "rnn_cell_relu_h0": (lambda T: T.nn.RNNCell(4, 6, nonlinearity="relu"),
                         _plain(3, 4, states=((3, 6),))),
    "rnn_cell_unbatched": (lambda T: T.nn.RNNCell(4, 6, bias=False),
                           _plain(4, states=((6,),))),
    "lstm_cell": (lambda T: T.nn.LSTMCell(4, 6), _plain(3, 4)),
    "lstm_cell_h0": (lambda T: T.nn.LSTMCell(4, 6), _plain(3, 4, states=((3, 6), (3, 6)))),
    "lstm_cell_unbatched": (lambda T: T.nn.LSTMCell(4, 6, bias=False),
                            _plain(4, states=((6,), (6,)))),
    "gru_cell": (lambda T: T.nn.GRUCell(4, 6), _plain(3, 4)),
    "gru_cell_h0_nobias": (lambda T: T.nn.GRUCell(4, 6, bias=False),
                           _plain(3, 4, states=((3, 6),))),
    "gru_cell_unbatched": (lambda T: T.nn.GRUCell(4, 6), _plain(4)),
}


@pytest.mark.parametrize("name", sorted(MODULE_CASES))
def test_module_matches_torch(real, name: str) -> None:
    make, call = MODULE_CASES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch: "LSTM with projections is not supported..."
        run_both(real, make, call)


def test_dropout_between_layers(real) -> None:
    """Training-mode dropout acts between layers only: p=1 zeroes the first layer's output, so
    the second layer sees zeros (deterministic under both libraries); eval mode ignores it."""
    make = lambda T: T.nn.GRU(4, 6, num_layers=2, dropout=1.0, bidirectional=True)  # noqa: E731
    run_both(real, make, _plain(5, 3, 4), train=True)
    run_both(real, make, _plain(5, 3, 4), train=False)
    m = nn.LSTM(4, 6, num_layers=2, dropout=0.5, bidirectional=True)
    x = torch.randn(5, 3, 4)
    with torch.no_grad():
        a, b = m(x)[0], m(x)[0]
        assert not np.allclose(np_(a), np_(b))  # fresh masks per call
        m.eval()
        np.testing.assert_array_equal(np_(m(x)[0]), np_(m(x)[0]))


def test_one_node_per_layer_direction() -> None:
    """The tape holds one scan node per layer-direction (not one node per time step)."""
    m = nn.LSTM(4, 6, num_layers=2, bidirectional=True)
    out, (h, c) = m(torch.randn(5, 3, 4))
    seen, stack, scans = set(), [out.grad_fn, h.grad_fn, c.grad_fn], 0
    while stack:
        node = stack.pop()
        if node is None or id(node) in seen:
            continue
        seen.add(id(node))
        scans += type(node).__name__ == "MkldnnRnnLayerBackward0"
        stack += [f for f, _ in node.next_functions]
    assert scans == 4 and len(seen) < 40


STATE_CASES = {
    "lstm": lambda T: T.nn.LSTM(3, 5, num_layers=2, bidirectional=True, proj_size=2),
    "lstm_nobias": lambda T: T.nn.LSTM(3, 5, bias=False, proj_size=4),
    "gru": lambda T: T.nn.GRU(3, 5, num_layers=3, bias=False, bidirectional=True),
    "rnn": lambda T: T.nn.RNN(3, 5, 2, "relu", False, True, 0.25, True),
    "rnn_cell": lambda T: T.nn.RNNCell(3, 5, nonlinearity="relu"),
    "lstm_cell": lambda T: T.nn.LSTMCell(3, 5, bias=False),
    "gru_cell": lambda T: T.nn.GRUCell(3, 5),
}


@pytest.mark.parametrize("name", sorted(STATE_CASES))
def test_state_dict_repr_and_init(real, name: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs, ours = STATE_CASES[name](real), STATE_CASES[name](torch)
    assert repr(ours) == repr(theirs)
    t_sd, o_sd = theirs.state_dict(), ours.state_dict()
    assert [(k, tuple(v.shape)) for k, v in o_sd.items()] == \
        [(k, tuple(v.shape)) for k, v in t_sd.items()]
    # ours -> torch: same values come back
    res = theirs.load_state_dict({k: real.tensor(np_(v)) for k, v in o_sd.items()})
    assert repr(res) == "<All keys matched successfully>"
    for k, v in theirs.state_dict().items():
        np.testing.assert_array_equal(v.numpy(), np_(o_sd[k]))
    bound = 1 / np.sqrt(ours.hidden_size)
    for p in ours.parameters():
        a = np_(p)
        assert p.requires_grad and np.all(np.abs(a) <= bound) and a.std() > bound / 4
    if hasattr(ours, "all_weights"):
        assert [[tuple(p.shape) for p in ws] for ws in ours.all_weights] == \
            [[tuple(p.shape) for p in ws] for ws in theirs.all_weights]
        assert ours.flatten_parameters() is None


def _errors(T):
    """Bad constructions and calls: each a thunk; both libraries must raise alike."""
    x = T.zeros(5, 2, 3)
    return {
        "input_size": lambda: T.nn.LSTM(3, 4)(T.zeros(5, 2, 5)),
        "input_4d": lambda: T.nn.LSTM(3, 4)(T.zeros(5, 2, 3, 1)),
        "gru_input_4d": lambda: T.nn.GRU(3, 4)(T.zeros(5, 2, 3, 1)),
        "rnn_input_1d": lambda: T.nn.RNN(3, 4)(T.zeros(3)),
        "dtype": lambda: T.nn.LSTM(3, 4)(x.double()),
        "hidden_size": lambda: T.nn.GRU(3, 4)(x, T.zeros(1, 3, 4)),
        "hidden_dims": lambda: T.nn.GRU(3, 4)(x, T.zeros(3, 4)),
        "unbatched_hidden_dims": lambda: T.nn.GRU(3, 4)(T.zeros(5, 3), T.zeros(1, 3, 4)),
        "lstm_c_size": lambda: T.nn.LSTM(3, 4)(x, (T.zeros(1, 2, 4), T.zeros(1, 3, 4))),
        "lstm_proj_h_size": lambda: T.nn.LSTM(3, 4, proj_size=2)(
            x, (T.zeros(1, 2, 4), T.zeros(1, 2, 4))),
        "lstm_hx_dims": lambda: T.nn.LSTM(3, 4)(x, (T.zeros(2, 4), T.zeros(2, 4))),
        "lstm_unbatched_hx_dims": lambda: T.nn.LSTM(3, 4)(T.zeros(5, 3),
                                                          (T.zeros(1, 2, 4), T.zeros(2, 4))),
        "gru_proj": lambda: T.nn.GRU(3, 4, proj_size=2),
        "nonlinearity": lambda: T.nn.RNN(3, 4, nonlinearity="sigmoid"),
        "proj_too_big": lambda: T.nn.LSTM(3, 4, proj_size=4),
        "proj_negative": lambda: T.nn.LSTM(3, 4, proj_size=-1),
        "dropout_range": lambda: T.nn.LSTM(3, 4, dropout=1.5),
        "dropout_bool": lambda: T.nn.LSTM(3, 4, dropout=True),
        "hidden_zero": lambda: T.nn.LSTM(3, 0),
        "layers_zero": lambda: T.nn.GRU(3, 4, num_layers=0),
        "bias_type": lambda: T.nn.GRU(3, 4, bias=1),
        "cell_input_size": lambda: T.nn.LSTMCell(3, 4)(T.zeros(2, 5)),
        "cell_batch": lambda: T.nn.LSTMCell(3, 4)(T.zeros(2, 3), (T.zeros(3, 4), T.zeros(2, 4))),
        "cell_c_size": lambda: T.nn.LSTMCell(3, 4)(T.zeros(2, 3),
                                                   (T.zeros(2, 4), T.zeros(2, 5))),
        "gru_cell_h_size": lambda: T.nn.GRUCell(3, 4)(T.zeros(2, 3), T.zeros(2, 5)),
        "gru_cell_unbatched_h": lambda: T.nn.GRUCell(3, 4)(T.zeros(2, 3), T.zeros(4)),
        "cell_3d": lambda: T.nn.RNNCell(3, 4)(T.zeros(1, 2, 3)),
        "cell_hx_3d": lambda: T.nn.GRUCell(3, 4)(T.zeros(2, 3), T.zeros(1, 2, 4)),
        "lstm_cell_hx_3d": lambda: T.nn.LSTMCell(3, 4)(T.zeros(2, 3),
                                                       (T.zeros(2, 4), T.zeros(1, 2, 4))),
        "cell_dtype": lambda: T.nn.RNNCell(3, 4)(T.zeros(2, 3, dtype=T.float64)),
        "pack_unsorted": lambda: T.nn.utils.rnn.pack_padded_sequence(x, [2, 5]),
        "pack_len_count": lambda: T.nn.utils.rnn.pack_padded_sequence(x, [5]),
        "pack_len_zero": lambda: T.nn.utils.rnn.pack_padded_sequence(x, [5, 0]),
        "pad_side": lambda: T.nn.utils.rnn.pad_sequence([x], padding_side="middle"),
        "pad_empty": lambda: T.nn.utils.rnn.pad_sequence([]),
        "total_length": lambda: T.nn.utils.rnn.pad_packed_sequence(
            T.nn.utils.rnn.pack_sequence([T.zeros(3)]), total_length=2),
    }


@pytest.mark.parametrize("name", sorted(_errors(torch)))
def test_errors_match_torch(real, name: str) -> None:
    def outcome(T):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                _errors(T)[name]()
            except Exception as e:  # noqa: BLE001 - the class and message are the result
                return type(e).__name__, str(e)
        return None

    expected = outcome(real)
    assert expected is not None
    assert outcome(torch) == expected


def test_constructor_warning(real) -> None:
    with pytest.warns(UserWarning, match="non-zero dropout expects num_layers greater than 1"):
        nn.GRU(3, 4, dropout=0.5)


# ---- nn.utils.rnn ----------------------------------------------------------------------------
def _seqs(T, lengths, feat=(2,), grad=True):
    return [T.tensor(randn(n, *feat, seed=n), requires_grad=grad) for n in lengths]


@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("side", ["right", "left"])
def test_pad_sequence(real, batch_first: bool, side: str) -> None:
    outs = []
    for T in (real, torch):
        seqs = _seqs(T, [3, 5, 1])
        out = T.nn.utils.rnn.pad_sequence(seqs, batch_first=batch_first, padding_value=-2.5,
                                          padding_side=side)
        (out * T.arange(out.numel(), dtype=T.float32).reshape(out.shape)).sum().backward()
        outs.append((out, [s.grad for s in seqs]))
    (t, tg), (o, og) = outs
    close(np_(o), t.detach().numpy())
    for a, b in zip(og, tg, strict=True):
        close(np_(a), b.numpy())


@pytest.mark.parametrize("lengths_kind", ["list", "tensor"])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("enforce_sorted", [False, True])
def test_pack_pad_roundtrip(real, lengths_kind: str, batch_first: bool,
                            enforce_sorted: bool) -> None:
    lengths = [5, 4, 2, 2] if enforce_sorted else [2, 5, 2, 4]
    shape = (4, 5, 3) if batch_first else (5, 4, 3)
    res = []
    for T in (real, torch):
        x = T.tensor(randn(*shape), requires_grad=True)
        lens = lengths if lengths_kind == "list" else T.tensor(lengths)
        p = T.nn.utils.rnn.pack_padded_sequence(x, lens, batch_first=batch_first,
                                                enforce_sorted=enforce_sorted)
        padded, out_lens = T.nn.utils.rnn.pad_packed_sequence(
            p, batch_first=batch_first, padding_value=7.0, total_length=6)
        (padded * T.arange(padded.numel(), dtype=T.float32).reshape(padded.shape)).sum() \
            .backward()
        res.append((p, padded, out_lens, x.grad))
    (tp, tpad, tl, tg), (op, opad, ol, og) = res
    assert repr(op) == repr(tp)
    assert type(op.data.grad_fn).__name__ == type(tp.data.grad_fn).__name__
    close(np_(opad), tpad.detach().numpy())
    assert np_(ol).tolist() == tl.tolist() and ol.dtype == torch.int64
    close(np_(og), tg.numpy())


def test_pack_sequence_and_unpack(real) -> None:
    for enforce in (True, False):
        lengths = [4, 3, 1] if enforce else [1, 4, 3]
        t = real.nn.utils.rnn.pack_sequence(_seqs(real, lengths, grad=False),
                                            enforce_sorted=enforce)
        o = U.pack_sequence(_seqs(torch, lengths, grad=False), enforce_sorted=enforce)
        assert repr(o) == repr(t)
        for a, b in zip(U.unpack_sequence(o), real.nn.utils.rnn.unpack_sequence(t),
                        strict=True):
            close(np_(a), b.numpy())
    padded = randn(4, 3, 2)
    t = real.nn.utils.rnn.unpad_sequence(real.tensor(padded), real.tensor([4, 1, 2]))
    o = U.unpad_sequence(torch.tensor(padded), torch.tensor([4, 1, 2]))
    assert [np_(a).tolist() for a in o] == [b.numpy().tolist() for b in t]


def test_packed_sequence_object(real) -> None:
    p = U.pack_sequence(_seqs(torch, [1, 3, 2], grad=False), enforce_sorted=False)
    data, batch_sizes, sorted_indices, unsorted_indices = p  # a NamedTuple, as torch's
    assert p._fields == real.nn.utils.rnn.PackedSequence._fields
    assert p.double().data.dtype == torch.float64 and p.double().batch_sizes is batch_sizes
    q = U.PackedSequence(data, batch_sizes, sorted_indices)
    assert np_(q.unsorted_indices).tolist() == np_(unsorted_indices).tolist()
    assert np_(U.invert_permutation(torch.tensor([2, 0, 1]))).tolist() == \
        real.nn.utils.rnn.invert_permutation(real.tensor([2, 0, 1])).tolist()
    assert U.invert_permutation(None) is None
    assert torch.nn.utils.rnn.PackedSequence is U.PackedSequence


def test_functional_lstm_matches_torch(real) -> None:
    """``torch.lstm`` / ``torch.gru`` (the functions the modules call), both overloads."""
    w = [randn(12, 2, seed=1), randn(12, 3, seed=2), randn(12, seed=3), randn(12, seed=4)]
    h, c = randn(1, 2, 3, seed=5), randn(1, 2, 3, seed=6)
    x = randn(4, 2, 2)
    res = []
    for T in (real, torch):
        out = T.lstm(T.tensor(x), (T.tensor(h), T.tensor(c)), [T.tensor(a) for a in w], True,
                     1, 0.0, False, False, False)
        wg = [T.tensor(a[:9]) for a in w]
        packed = T.gru(T.tensor(x[:, 0]), T.tensor([1, 1, 1, 1]), T.tensor(h[:, :1]), wg,
                       True, 1, 0.0, False, False)
        res.append([np.asarray(t.detach().numpy()) for t in (*out, *packed)])
    for a, b in zip(res[1], res[0], strict=True):
        close(a, b)
