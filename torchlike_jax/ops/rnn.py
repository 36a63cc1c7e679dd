"""Recurrent layers: ``torch.lstm`` / ``torch.gru`` / ``torch.rnn_tanh`` / ``torch.rnn_relu``.

Why one op per layer and direction: a Python loop over time steps would record ~10 nodes per
step into the tape, and compile a backward whose size grows with the sequence length. Here the
whole sequence of one layer-direction is ONE registered op whose implementation is a
``jax.lax.scan`` (the input projection ``x W_ih^T`` hoisted out of the loop as one matmul), so
the tape holds one node per layer-direction and JAX differentiates the scan itself.

Packed sequences (``batch_sizes`` given) run on a padded, time-major copy with a per-sequence
length: steps past a sequence's end leave its state unchanged and output zeros, so the final
state is the one at the sequence's true length (in both directions: the reverse scan only starts
moving a sequence's state at its last valid step). The reverse direction reads each sequence
backwards through a runtime index, so both directions and both kinds of input run one compiled
program per layer shape. Packing and unpacking are two gather ops.

The stacking around the layer ops (``cat`` of directions, ``stack`` of final states, dropout
between layers, ``transpose`` for ``batch_first``) is ordinary dispatch, as in torch's CPU
implementation, so the visible ``grad_fn`` names are torch's.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from .._dtypes import upcast_half
from ..core.dispatch import dispatch
from ..core.registry import KEEP, register
from ..core.surface import expose
from ..core.tensor import Tensor
from ..core.tensor_access import array_of
from .joining import cat, stack
from .nn_dropout import dropout
from .shape import transpose

_HI = jax.lax.Precision.HIGHEST
_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}


def _mm(a: jax.Array, w: jax.Array) -> jax.Array:
    return jnp.matmul(a, w.T, precision=_HI)


def _cell(mode: str, h, c, gi, w_hh, b_hh, w_hr):
    """One time step given the precomputed input projection ``gi``: returns (h', c')."""
    gh = _mm(h, w_hh)
    if b_hh is not None:
        gh = gh + b_hh
    if mode == "LSTM":
        i, f, g, o = jnp.split(gi + gh, 4, axis=-1)
        c2 = jax.nn.sigmoid(f) * c + jax.nn.sigmoid(i) * jnp.tanh(g)
        h2 = jax.nn.sigmoid(o) * jnp.tanh(c2)
        if w_hr is not None:
            h2 = _mm(h2, w_hr)
        return h2, c2
    if mode == "GRU":
        ir, iz, i_n = jnp.split(gi, 3, axis=-1)
        hr, hz, h_n = jnp.split(gh, 3, axis=-1)
        r = jax.nn.sigmoid(ir + hr)
        z = jax.nn.sigmoid(iz + hz)
        n = jnp.tanh(i_n + r * h_n)
        return n + z * (h - n), None
    pre = gi + gh
    return (jnp.tanh(pre) if mode == "RNN_TANH" else jnp.maximum(pre, 0)), None


def _scan_layer(x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, order, lengths, mode):
    """The whole sequence ``x`` (T, B, I) of one layer-direction: (outputs, h_T[, c_T]).

    ``order`` (T, B) says which time step each sequence reads at scan step t (the identity
    forward; ``len - 1 - t`` within each length for the reverse direction), and the scan is
    masked past each sequence's ``lengths`` entry. Both are runtime arrays, so the forward and
    reverse directions, padded and packed input, share one compiled program (and its vjp)."""
    dt = x.dtype
    x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr = (
        upcast_half(a) for a in (x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr))
    gi = jnp.einsum("tbi,gi->tbg", x, w_ih, precision=_HI)  # hoisted out of the loop
    if b_ih is not None:
        gi = gi + b_ih
    gi = jnp.take_along_axis(gi, order[..., None], axis=0)
    valid = (jnp.arange(x.shape[0])[:, None] < lengths[None, :])[..., None]

    def step(carry, inp):
        g, m = inp
        h, c = carry
        h2, c2 = _cell(mode, h, c, g, w_hh, b_hh, w_hr)
        h2 = jnp.where(m, h2, h)
        if c is not None:
            c2 = jnp.where(m, c2, c)
        return (h2, c2), jnp.where(m, h2, jnp.zeros_like(h2))

    (h, c), ys = jax.lax.scan(step, (h0, c0), (gi, valid))
    ys = jnp.take_along_axis(ys, order[..., None], axis=0)  # ``order`` is its own inverse
    out = (ys.astype(dt), h.astype(dt))
    return out if c is None else (*out, c.astype(dt))


def _lstm_layer(x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, order, lengths, stacked):
    return _scan_layer(x, h0, c0, w_ih, w_hh, b_ih, b_hh, w_hr, order, lengths, "LSTM")


def _rnn_layer(x, h0, w_ih, w_hh, b_ih, b_hh, order, lengths, mode):
    return _scan_layer(x, h0, None, w_ih, w_hh, b_ih, b_hh, None, order, lengths, mode)


# torch's CPU LSTM runs oneDNN's layer kernel for float32 without projections (otherwise its
# stacked per-step loop: ``stacked``); GRU and plain RNNs stack their per-step outputs
LSTM_LAYER = register("lstm_layer", _lstm_layer,
                      lambda p: "StackBackward0" if p[0] else "MkldnnRnnLayerBackward0",
                      dtype_rule=KEEP, n_out=3, diff_outputs=(0, 1, 2),
                      saves_inputs=(0, 1, 2, 3, 4, 5, 6, 7))
RNN_LAYER = register("rnn_layer", _rnn_layer, "StackBackward0", dtype_rule=KEEP, n_out=2,
                     diff_outputs=(0, 1), saves_inputs=(0, 1, 2, 3, 4, 5))


def _orders(steps: int, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The forward and reverse ``order`` arrays of :func:`_scan_layer` for these lengths."""
    t = np.arange(steps)[:, None]
    fwd = np.broadcast_to(t, (steps, len(lengths))).astype(np.int64)
    rev = np.where(t < lengths[None, :], lengths[None, :] - 1 - t, t).astype(np.int64)
    return fwd, rev


# ---- packed <-> padded ---------------------------------------------------------------------------
def _pack_rows(x, idx, name):
    return x.reshape((-1,) + x.shape[2:])[idx]


def _unpack_rows(data, idx, value, steps, batch, name):
    pad = jnp.full((1,) + data.shape[1:], value, data.dtype)
    return jnp.concatenate([data, pad])[idx].reshape((steps, batch) + data.shape[1:])


PACK_ROWS = register("pack_rows", _pack_rows, lambda p: p[0], dtype_rule=KEEP, saves_inputs=())
UNPACK_ROWS = register("unpack_rows", _unpack_rows, lambda p: p[-1], dtype_rule=KEEP,
                       saves_inputs=())


def _host_ints(t: Any) -> np.ndarray:
    """A small index tensor (``batch_sizes``, lengths) on the host, as torch keeps them on CPU."""
    return np.asarray(array_of(t) if isinstance(t, Tensor) else t, dtype=np.int64)


def packed_rows(batch_sizes: Any, batch: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """For packed data with these ``batch_sizes``: the padded (time-major, ``batch`` wide) flat
    position of each packed row, and each sequence's length."""
    bs = _host_ints(batch_sizes)
    batch = int(bs[0]) if batch is None else batch
    t_idx = np.repeat(np.arange(len(bs)), bs)
    b_idx = np.concatenate([np.arange(n) for n in bs]) if len(bs) else np.zeros(0, np.int64)
    lengths = (bs[None, :] > np.arange(batch)[:, None]).sum(1)
    return (t_idx * batch + b_idx).astype(np.int64), lengths.astype(np.int64)


def pack_padded(x: Any, batch_sizes: Any, grad_name: str = "PackPaddedSequenceBackward0") -> Any:
    """Time-major padded ``x`` (T, B, *) -> the packed rows for ``batch_sizes``."""
    pos, _ = packed_rows(batch_sizes, x.shape[1])
    return dispatch(PACK_ROWS, (x, pos), (grad_name,))


def unpack_to_padded(data: Any, batch_sizes: Any, total_length: int | None = None,
                     padding_value: float = 0.0, grad_name: str = "IndexBackward0") -> Any:
    """Packed rows -> time-major padded (T, B, *) filled with ``padding_value``."""
    bs = _host_ints(batch_sizes)
    steps = len(bs) if total_length is None else int(total_length)
    batch = int(bs[0])
    pos, _ = packed_rows(bs, batch)
    src = np.full(steps * batch, data.shape[0], np.int64)  # the padding row
    src[pos] = np.arange(len(pos))
    return dispatch(UNPACK_ROWS, (data, src), (float(padding_value), steps, batch, grad_name))


# ---- the multi-layer functions -------------------------------------------------------------------
def _run(mode: str, input: Any, hx: tuple, params: Any, has_biases: bool, num_layers: int,
         dropout_p: float, train: bool, bidirectional: bool, batch_first: bool,
         batch_sizes: Any = None) -> tuple:
    """All layers and directions: (output, h_n[, c_n]), as torch's ``_VF`` functions."""
    params = list(params)
    dirs = 2 if bidirectional else 1
    per = 4 if has_biases else 2
    proj = mode == "LSTM" and len(params) == num_layers * dirs * (per + 1)
    stride = per + int(proj)
    if len(params) != num_layers * dirs * stride:
        raise RuntimeError(f"{mode.lower()}: expected {num_layers * dirs * per} weights, got "
                           f"{len(params)}")
    if batch_sizes is not None:
        x = unpack_to_padded(input, batch_sizes)
        _, lengths = packed_rows(batch_sizes)
    else:
        x = transpose(input, 0, 1) if batch_first else input
        lengths = np.full(x.shape[1], x.shape[0], np.int64)
    orders = _orders(x.shape[0], lengths)
    hs, cs = [], []
    for layer in range(num_layers):
        outs = []
        for d in range(dirs):
            k = layer * dirs + d
            w = params[k * stride:(k + 1) * stride]
            w_ih, w_hh = w[0], w[1]
            b_ih, b_hh = (w[2], w[3]) if has_biases else (None, None)
            if mode == "LSTM":
                w_hr = w[-1] if proj else None
                y, h, c = dispatch(LSTM_LAYER, (x, hx[0][k], hx[1][k], w_ih, w_hh, b_ih, b_hh,
                                                w_hr, orders[d], lengths),
                                   (proj or input.dtype.name != "float32",))
                cs.append(c)
            else:
                y, h = dispatch(RNN_LAYER, (x, hx[0][k], w_ih, w_hh, b_ih, b_hh, orders[d],
                                            lengths), (mode,))
            outs.append(y)
            hs.append(h)
        x = outs[0] if dirs == 1 else cat(outs, 2)
        if dropout_p and train and layer < num_layers - 1:
            x = dropout(x, dropout_p, True)
    if batch_sizes is not None:
        x = pack_padded(x, batch_sizes, "CatBackward0")
    elif batch_first:  # torch's LSTM transposes a copy, its GRU/RNN transpose_ in place
        x = transpose(x, 0, 1) if mode == "LSTM" else x.transpose_(0, 1)
    return (x, stack(hs, 0)) + ((stack(cs, 0),) if mode == "LSTM" else ())


def _split_args(name: str, args: tuple) -> tuple:
    """torch's two overloads: (input, hx, params, has_biases, num_layers, dropout, train,
    bidirectional, batch_first) or (data, batch_sizes, hx, params, has_biases, num_layers,
    dropout, train, bidirectional)."""
    if len(args) != 9:
        raise TypeError(f"{name}() expected 9 arguments, got {len(args)}")
    packed = (not isinstance(args[1], (list, tuple)) if name == "lstm"
              else not isinstance(args[2], (list, tuple)))
    if not packed:
        return args[0], args[1], args[2], args[3:], None
    data, batch_sizes, hx, params, *rest = args
    return data, hx, params, (*rest, False), batch_sizes


@expose("lstm", method=False)
def lstm(*args: Any) -> tuple:
    """torch.lstm: multi-layer LSTM; ``hx`` is ``(h_0, c_0)``; returns (output, h_n, c_n)."""
    x, hx, params, rest, bs = _split_args("lstm", args)
    return _run("LSTM", x, tuple(hx), params, *rest, batch_sizes=bs)


@expose("gru", method=False)
def gru(*args: Any) -> tuple:
    """torch.gru: multi-layer GRU; returns (output, h_n)."""
    x, hx, params, rest, bs = _split_args("gru", args)
    return _run("GRU", x, (hx,), params, *rest, batch_sizes=bs)


@expose("rnn_tanh", method=False)
def rnn_tanh(*args: Any) -> tuple:
    """torch.rnn_tanh: multi-layer Elman RNN with tanh; returns (output, h_n)."""
    x, hx, params, rest, bs = _split_args("rnn_tanh", args)
    return _run("RNN_TANH", x, (hx,), params, *rest, batch_sizes=bs)


@expose("rnn_relu", method=False)
def rnn_relu(*args: Any) -> tuple:
    """torch.rnn_relu: multi-layer Elman RNN with ReLU; returns (output, h_n)."""
    x, hx, params, rest, bs = _split_args("rnn_relu", args)
    return _run("RNN_RELU", x, (hx,), params, *rest, batch_sizes=bs)
