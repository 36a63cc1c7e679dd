"""Attention and transformer layers against real torch, live: ``F.scaled_dot_product_attention``
(masks, causal, scale, GQA, errors), ``nn.MultiheadAttention`` (packed and separate
projections, bias_kv, zero_attn, masks, weights) and the ``Transformer`` family (post/pre-norm,
activations, batch_first, masks, the eval fast path's zeroed padding). Weights are copied from
the torch module through ``load_state_dict``; outputs, input grads and parameter grads must
agree within float32 tolerance; reprs and state_dict keys must be identical. Ends with a
1-layer encoder trained 30 Adam steps in both libraries.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import torchlike_jax as torch
import torchlike_jax.nn.functional as F
from torchlike_jax import _caches

pytestmark = [
    pytest.mark.torch_live,
    # both libraries warn about bool key-padding masks next to float attention masks, and
    # torch about its nested-tensor prototype: expected here, asserted where it matters
    pytest.mark.filterwarnings("ignore:Support for mismatched:UserWarning"),
    pytest.mark.filterwarnings("ignore:The PyTorch API of nested tensors:UserWarning"),
]

RTOL, ATOL = 2e-4, 2e-5


def randn(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def np_(t):
    return np.asarray(t.detach().numpy())


def close(ours, theirs, rtol=RTOL, atol=ATOL):
    a, b = np_(ours), theirs.detach().numpy()
    assert a.shape == b.shape and a.dtype == b.dtype, (a.shape, b.shape, a.dtype, b.dtype)
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


def both(real, arrays, grad=True):
    """The same numpy arrays as torch and torchlike_jax tensors (float ones require grad)."""
    t = [real.tensor(a, requires_grad=grad and a.dtype.kind == "f") for a in arrays]
    o = [torch.tensor(a, requires_grad=grad and a.dtype.kind == "f") for a in arrays]
    return t, o


def backward_both(real, t_outs, o_outs, seed=7):
    """Backpropagate the same random weighting of every (non-None) output in both libraries."""
    t_loss, o_loss = 0, 0
    for i, (t, o) in enumerate(zip(t_outs, o_outs, strict=True)):
        if t is None:
            assert o is None
            continue
        w = randn(*t.shape, seed=seed + i)
        t_loss = t_loss + (t * real.tensor(w)).nansum()
        o_loss = o_loss + (o * torch.tensor(w)).nansum()
    t_loss.backward()
    o_loss.backward()


def grads_close(t_ins, o_ins):
    for t, o in zip(t_ins, o_ins, strict=True):
        if t.requires_grad:
            close(o.grad, t.grad)


def copy_weights(ours, theirs):
    state = {k: torch.tensor(v.detach().numpy()) for k, v in theirs.state_dict().items()}
    assert list(state) == list(ours.state_dict())
    assert repr(ours.load_state_dict(state)) == "<All keys matched successfully>"


def param_grads_close(ours, theirs):
    pairs = zip(theirs.named_parameters(), ours.named_parameters(), strict=True)
    for (name, tp), (oname, op) in pairs:
        assert name == oname
        if tp.grad is None:
            assert op.grad is None, name
        else:
            close(op.grad, tp.grad)


def make_pair(real, make, train=True):
    """``make(lib)`` in both libraries, torch's weights copied into ours; reprs must agree."""
    real.manual_seed(0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs, ours = make(real), make(torch)
    assert repr(ours) == repr(theirs)
    copy_weights(ours, theirs)
    theirs.train(train)
    ours.train(train)
    return ours, theirs


# ---- scaled_dot_product_attention --------------------------------------------------------------
def _bool_mask(shape, seed):
    m = np.random.default_rng(seed).random(shape) > 0.4
    m[..., 0] = True  # every row can attend somewhere
    return m


SDPA = {
    "plain_4d": ([(2, 3, 4, 8), (2, 3, 5, 8), (2, 3, 5, 6)], {}),
    "plain_3d": ([(3, 4, 8), (3, 5, 8), (3, 5, 6)], {}),
    "plain_2d": ([(4, 8), (5, 8), (5, 6)], {}),
    "broadcast_batch": ([(2, 3, 4, 8), (1, 3, 5, 8), (1, 3, 5, 6)], {}),
    "causal_square": ([(2, 2, 5, 8), (2, 2, 5, 8), (2, 2, 5, 8)], {"is_causal": True}),
    "causal_rect": ([(2, 2, 3, 8), (2, 2, 5, 8), (2, 2, 5, 6)], {"is_causal": True}),
    "scale": ([(2, 3, 4, 8), (2, 3, 5, 8), (2, 3, 5, 6)], {"scale": 0.3}),
    "bool_mask": ([(2, 3, 4, 8), (2, 3, 5, 8), (2, 3, 5, 6)], {"mask": ("bool", (4, 5))}),
    "bool_mask_4d": ([(2, 3, 4, 8), (2, 3, 5, 8), (2, 3, 5, 6)],
                     {"mask": ("bool", (2, 1, 4, 5))}),
    "float_mask": ([(2, 3, 4, 8), (2, 3, 5, 8), (2, 3, 5, 6)], {"mask": ("float", (3, 4, 5))}),
    "dead_rows_bool": ([(2, 3, 4, 8), (2, 3, 5, 8), (2, 3, 5, 6)], {"mask": ("dead", (4, 5))}),
    "dead_rows_float": ([(2, 3, 4, 8), (2, 3, 5, 8), (2, 3, 5, 6)],
                        {"mask": ("deadf", (4, 5))}),
    "gqa": ([(2, 4, 3, 8), (2, 2, 5, 8), (2, 1, 5, 6)], {"enable_gqa": True}),
    "float64": ([(2, 3, 4, 8), (2, 3, 5, 8), (2, 3, 5, 6)], {"dtype": np.float64}),
    "float64_float32_mask": ([(2, 3, 4, 8), (2, 3, 5, 8), (2, 3, 5, 6)],
                             {"dtype": np.float64, "mask": ("float", (4, 5))}),
    # one head size, equal batches, no dropout: torch's fused CPU flash kernel
    "flash_plain": ([(2, 3, 4, 8), (2, 3, 5, 8), (2, 3, 5, 8)], {}),
    "flash_bool_mask": ([(2, 3, 4, 8), (2, 3, 5, 8), (2, 3, 5, 8)], {"mask": ("bool", (4, 5))}),
    "flash_float_mask": ([(2, 3, 4, 8), (2, 3, 5, 8), (2, 3, 5, 8)],
                         {"mask": ("float", (2, 3, 4, 5)), "scale": 0.2}),
    "flash_dead_rows": ([(2, 3, 4, 8), (2, 3, 5, 8), (2, 3, 5, 8)], {"mask": ("dead", (4, 5))}),
    "flash_causal_rect": ([(2, 2, 5, 8), (2, 2, 3, 8), (2, 2, 3, 8)], {"is_causal": True}),
    "flash_gqa": ([(2, 4, 3, 8), (2, 2, 5, 8), (2, 2, 5, 8)], {"enable_gqa": True}),
    "flash_float64": ([(2, 3, 4, 8), (2, 3, 5, 8), (2, 3, 5, 8)], {"dtype": np.float64,
                                                                   "is_causal": True}),
}


def _sdpa_mask(real, kind, shape):
    if kind == "bool":
        m = _bool_mask(shape, 5)
    elif kind == "float":
        m = randn(*shape, seed=5)
    else:
        m = _bool_mask(shape, 5)
        m[1] = False  # a row that can attend nothing: zeros (and zero grads), not NaN
        if kind == "deadf":
            m = np.where(m, 0.0, -np.inf).astype(np.float32)
    return real.tensor(m), torch.tensor(m)


@pytest.mark.parametrize("name", sorted(SDPA))
def test_sdpa_matches_torch(real, name):
    shapes, kw = SDPA[name]
    kw = dict(kw)
    dtype = kw.pop("dtype", np.float32)
    arrays = [randn(*s, seed=i).astype(dtype) for i, s in enumerate(shapes)]
    t_in, o_in = both(real, arrays)
    if "mask" in kw:
        kw["attn_mask"] = _sdpa_mask(real, *kw.pop("mask"))
    t_kw = {k: (v[0] if isinstance(v, tuple) else v) for k, v in kw.items()}
    o_kw = {k: (v[1] if isinstance(v, tuple) else v) for k, v in kw.items()}
    t_out = real.nn.functional.scaled_dot_product_attention(*t_in, **t_kw)
    o_out = F.scaled_dot_product_attention(*o_in, **o_kw)
    close(o_out, t_out)
    assert type(o_out.grad_fn).__name__ == type(t_out.grad_fn).__name__
    backward_both(real, [t_out], [o_out])
    grads_close(t_in, o_in)
    assert all(np.isfinite(np_(o.grad)).all() for o in o_in)


def test_sdpa_scale_and_dropout_p_are_runtime_values():
    q, k = torch.tensor(randn(2, 3, 4, 8)), torch.tensor(randn(2, 3, 5, 8, seed=1))
    v6 = torch.tensor(randn(2, 3, 5, 6, seed=2))
    with torch.no_grad():
        for scale, p in ((0.3, 0.1), (0.3, 0.1), (0.45, 0.2)):
            if scale == 0.45:
                before = _caches.cache("op_jit").misses
            F.scaled_dot_product_attention(q, k, k, scale=scale)  # the flash op
            F.scaled_dot_product_attention(q, k, v6, scale=scale, dropout_p=p)  # math path
    assert _caches.cache("op_jit").misses == before


def test_sdpa_dropout(real):
    # with value = identity the output is the dropped-out weight matrix itself: every entry
    # is either 0 or the undropped weight / (1 - p)
    q, k = randn(2, 6, 8, seed=1), randn(2, 7, 8, seed=2)
    eye = np.broadcast_to(np.eye(7, dtype=np.float32), (2, 7, 7)).copy()
    tq, tk, tv = (real.tensor(a) for a in (q, k, eye))
    oq, ok, ov = (torch.tensor(a) for a in (q, k, eye))
    full = real.nn.functional.scaled_dot_product_attention(tq, tk, tv).numpy()
    torch.manual_seed(0)
    out = np_(F.scaled_dot_product_attention(oq, ok, ov, dropout_p=0.4))
    kept = out != 0
    assert 0 < kept.mean() < 1
    np.testing.assert_allclose(out[kept], full[kept] / 0.6, rtol=1e-5)
    zero = real.nn.functional.scaled_dot_product_attention(tq, tk, tv, dropout_p=1.0)
    close(F.scaled_dot_product_attention(oq, ok, ov, dropout_p=1.0), zero)


def _sdpa_error_cases(L):
    q = L.tensor(randn(2, 3, 4, 8))
    k, v = L.tensor(randn(2, 3, 5, 8, seed=1)), L.tensor(randn(2, 3, 5, 6, seed=2))
    sdpa = L.nn.functional.scaled_dot_product_attention
    return {
        "dtype": lambda: sdpa(q, k.double(), v),
        "ndim": lambda: sdpa(q[0, 0, 0], k[0, 0, 0], v[0, 0, 0]),
        "causal_and_mask": lambda: sdpa(q, k, v, attn_mask=L.ones(4, 5, dtype=L.bool),
                                        is_causal=True),
        "mask_dtype": lambda: sdpa(q, k, v, attn_mask=L.ones(4, 5, dtype=L.float64)),
        "mask_long": lambda: sdpa(q, k, v, attn_mask=L.ones(4, 5, dtype=L.int64)),
        "head_dim": lambda: sdpa(q, k[..., :7], v),
        "value_len": lambda: sdpa(q, k, v[:, :, :4]),
        "gqa_heads": lambda: sdpa(q, L.tensor(randn(2, 2, 5, 8)), L.tensor(randn(2, 2, 5, 6)),
                                  enable_gqa=True),
        "mask_bigger": lambda: sdpa(q, k, v, attn_mask=L.ones(2, 2, 1, 4, 5, dtype=L.bool)),
        "mask_bigger_flash": lambda: sdpa(q, k, k, attn_mask=L.ones(2, 2, 1, 4, 5,
                                                                   dtype=L.bool)),
        "mask_mismatch": lambda: sdpa(q, k, v, attn_mask=L.ones(3, 5, dtype=L.bool)),
        "mask_mismatch_flash": lambda: sdpa(q, k, k, attn_mask=L.ones(3, 5)),
        "gqa_heads_flash": lambda: sdpa(q, L.tensor(randn(2, 2, 5, 8)),
                                        L.tensor(randn(2, 2, 5, 8)), enable_gqa=True),
        "dropout_p": lambda: sdpa(q, k, v, dropout_p=1.5),
        "integer": lambda: sdpa(q.long(), k.long(), v.long()),
        "not_tensor": lambda: sdpa(q, k, [1.0]),
    }


def _assert_same_errors(theirs: dict, ours: dict) -> None:
    """Each named call raises, in torch and in ours, the same exception class and message."""
    for name in theirs:
        with pytest.raises(Exception) as t_err:
            theirs[name]()
        with pytest.raises(type(t_err.value)) as o_err:
            ours[name]()
        assert str(o_err.value) == str(t_err.value), name


def test_sdpa_errors(real):
    theirs, ours = _sdpa_error_cases(real), _sdpa_error_cases(torch)
    _assert_same_errors(theirs, ours)


# ---- MultiheadAttention ------------------------------------------------------------------------
E, H, L_T, L_S, N = 8, 2, 4, 5, 3

MHA = {
    "self": ({}, {"self": True}),
    "self_batch_first": ({"batch_first": True}, {"self": True}),
    "cross_kv_same": ({}, {"kv_same": True}),
    "cross": ({"dropout": 0.0}, {}),
    "kdim_vdim": ({"kdim": 6, "vdim": 5}, {}),
    "kdim_vdim_batch_first": ({"kdim": 6, "vdim": 5, "batch_first": True}, {}),
    "bias_kv_zero_attn": ({"add_bias_kv": True, "add_zero_attn": True},
                          {"kpm": "bool", "mask": "bool2d"}),
    "no_bias": ({"bias": False}, {"mask": "float3d"}),
    "key_padding_bool": ({}, {"kpm": "bool"}),
    "key_padding_float": ({}, {"kpm": "float", "mask": "float2d"}),
    "per_head_weights": ({}, {"average": False, "mask": "bool2d"}),
    "no_weights": ({}, {"need_weights": False, "kpm": "bool", "mask": "bool2d"}),
    "no_weights_causal": ({"batch_first": True}, {"need_weights": False, "causal": True,
                                                  "self": True}),
    "weights_causal_mask": ({}, {"causal": True}),
    "unbatched": ({}, {"unbatched": True, "kpm": "bool"}),
    "unbatched_3d_mask": ({}, {"unbatched": True, "mask": "float3d_unbatched",
                               "need_weights": False}),
}


def _mha_inputs(cfg, mod_kw):
    unbatched = cfg.get("unbatched", False)
    bf = mod_kw.get("batch_first", False) and not unbatched

    def shape(length, dim):
        if unbatched:
            return (length, dim)
        return (N, length, dim) if bf else (length, N, dim)

    q = randn(*shape(L_T, E), seed=1)
    k = randn(*shape(L_S, mod_kw.get("kdim", E)), seed=2)
    v = randn(*shape(L_S, mod_kw.get("vdim", E)), seed=3)
    if cfg.get("self"):
        k = v = None
    elif cfg.get("kv_same"):
        v = None
    return q, k, v


def _mha_masks(cfg, real):
    """Returns (torch kwargs, our kwargs) for the masks in ``cfg``."""
    src = L_T if cfg.get("self") else L_S
    unbatched = cfg.get("unbatched", False)
    t_kw, o_kw = {}, {}
    kpm = cfg.get("kpm")
    if kpm:
        m = np.zeros((src,) if unbatched else (N, src), bool)
        m[..., -2:] = True
        if not unbatched:
            m[0, -1:] = False
        if kpm == "float":
            m = np.where(m, -1e9, 0.0).astype(np.float32)
        t_kw["key_padding_mask"], o_kw["key_padding_mask"] = real.tensor(m), torch.tensor(m)
    mask = cfg.get("mask")
    if cfg.get("causal"):
        a = np.triu(np.full((L_T, src), -np.inf, np.float32), 1)
        t_kw["is_causal"] = o_kw["is_causal"] = True
    elif mask == "bool2d":
        a = ~_bool_mask((L_T, src), 4)  # True = not allowed, as MHA reads bool masks
    elif mask == "float2d":
        a = randn(L_T, src, seed=4)
    elif mask == "float3d":
        a = randn(N * H, L_T, src, seed=4)
    elif mask == "float3d_unbatched":
        a = randn(H, L_T, src, seed=4)
    else:
        a = None
    if a is not None:
        t_kw["attn_mask"], o_kw["attn_mask"] = real.tensor(a), torch.tensor(a)
    for key in ("need_weights",):
        if key in cfg:
            t_kw[key] = o_kw[key] = cfg[key]
    if "average" in cfg:
        t_kw["average_attn_weights"] = o_kw["average_attn_weights"] = cfg["average"]
    return t_kw, o_kw


@pytest.mark.parametrize("name", sorted(MHA))
def test_multihead_attention(real, name):
    mod_kw, cfg = MHA[name]
    ours, theirs = make_pair(real, lambda L: L.nn.MultiheadAttention(E, H, **mod_kw))
    q, k, v = _mha_inputs(cfg, mod_kw)
    arrays = [a for a in (q, k, v) if a is not None]
    t_in, o_in = both(real, arrays)
    # keep the identities torch exploits: self-attention passes one tensor three times
    t_qkv = t_in + [t_in[-1]] * (3 - len(t_in))
    o_qkv = o_in + [o_in[-1]] * (3 - len(o_in))
    t_kw, o_kw = _mha_masks(cfg, real)
    t_out, t_w = theirs(*t_qkv, **t_kw)
    o_out, o_w = ours(*o_qkv, **o_kw)
    close(o_out, t_out)
    assert type(o_out.grad_fn).__name__ == type(t_out.grad_fn).__name__
    if t_w is None:
        assert o_w is None
    else:
        close(o_w, t_w)
        assert type(o_w.grad_fn).__name__ == type(t_w.grad_fn).__name__
    backward_both(real, [t_out, t_w], [o_out, o_w])
    grads_close(t_in, o_in)
    param_grads_close(ours, theirs)


def test_multihead_attention_fully_masked_rows_are_nan_with_weights(real):
    # need_weights=True is a plain softmax in torch: a row with every key masked gives NaN
    ours, theirs = make_pair(real, lambda L: L.nn.MultiheadAttention(E, H))
    x = randn(L_T, N, E)
    m = np.zeros((L_T, L_T), bool)
    m[1] = True
    t_out, t_w = theirs(*[real.tensor(x)] * 3, attn_mask=real.tensor(m))
    o_out, o_w = ours(*[torch.tensor(x)] * 3, attn_mask=torch.tensor(m))
    np.testing.assert_array_equal(np.isnan(np_(o_w)), np.isnan(t_w.detach().numpy()))
    np.testing.assert_array_equal(np.isnan(np_(o_out)), np.isnan(t_out.detach().numpy()))


def test_multihead_attention_dropout():
    # training: the per-head weights returned are the dropped-out ones, each entry 0 or the
    # eval weight / (1 - p); eval: no dropout
    m = torch.nn.MultiheadAttention(E, H, dropout=0.5)
    x = torch.tensor(randn(L_T, N, E))
    torch.manual_seed(0)
    w_train = np_(m(x, x, x, average_attn_weights=False)[1])
    w_eval = np_(m.eval()(x, x, x, average_attn_weights=False)[1])
    kept = w_train != 0
    assert 0 < kept.mean() < 1
    np.testing.assert_allclose(w_train[kept], w_eval[kept] / 0.5, rtol=1e-5)
    np.testing.assert_allclose(w_eval.sum(-1), 1.0, rtol=1e-5)


def test_multihead_attention_eval_fast_path(real):
    # torch runs _native_multi_head_attention here (eval, no grad, batch_first, self-attn)
    ours, theirs = make_pair(real, lambda L: L.nn.MultiheadAttention(E, H, batch_first=True),
                             train=False)
    x = randn(N, L_T, E)
    m = np.zeros((N, L_T), bool)
    m[:, -1] = True
    with real.no_grad():
        t_out, t_w = theirs(*[real.tensor(x)] * 3, key_padding_mask=real.tensor(m))
    with torch.no_grad():
        o_out, o_w = ours(*[torch.tensor(x)] * 3, key_padding_mask=torch.tensor(m))
    close(o_out, t_out)
    close(o_w, t_w)


def test_multihead_attention_init_and_params(real):
    for kw in ({}, {"kdim": 6, "vdim": 5, "add_bias_kv": True}, {"bias": False}):
        t = real.nn.MultiheadAttention(E, H, **kw)
        o = torch.nn.MultiheadAttention(E, H, **kw)
        assert repr(o) == repr(t)
        assert [(n, tuple(p.shape)) for n, p in o.named_parameters()] == \
               [(n, tuple(p.shape)) for n, p in t.named_parameters()]
        assert list(o.state_dict()) == list(t.state_dict())
        assert type(o.out_proj).__name__ == "NonDynamicallyQuantizableLinear"
        assert isinstance(o.out_proj, torch.nn.Linear)
        if o.in_proj_bias is not None:
            assert not np_(o.in_proj_bias).any() and not np_(o.out_proj.bias).any()
        w = o.in_proj_weight if o.in_proj_weight is not None else o.q_proj_weight
        bound = np.sqrt(6.0 / sum(w.shape))  # xavier_uniform_
        assert np.abs(np_(w)).max() <= bound and np.abs(np_(w)).max() > bound / 2


def _mha_error_cases(L):
    m = L.nn.MultiheadAttention(E, H)
    x = L.tensor(randn(L_T, N, E))
    return {
        "heads": lambda: L.nn.MultiheadAttention(E, 3),
        "nonpositive": lambda: L.nn.MultiheadAttention(0, 2),
        "causal_without_mask": lambda: m(x, x, x, is_causal=True),
        "mask_2d_shape": lambda: m(x, x, x, attn_mask=L.zeros(3, 3)),
        "mask_3d_shape": lambda: m(x, x, x, attn_mask=L.zeros(2, L_T, L_T)),
        "mask_int": lambda: m(x, x, x, attn_mask=L.zeros(L_T, L_T, dtype=L.int64)),
        "query_4d": lambda: m(x[None], x[None], x[None]),
        "key_2d": lambda: m(x, x[0], x[0]),
        "kpm_shape": lambda: m(x, x, x, key_padding_mask=L.zeros(N, 2, dtype=L.bool)),
        "embed_dim": lambda: m(x[..., :6], x[..., :6], x[..., :6]),
    }


def test_multihead_attention_errors(real):
    theirs, ours = _mha_error_cases(real), _mha_error_cases(torch)
    _assert_same_errors(theirs, ours)


def test_mismatched_mask_types_warn(real):
    x = randn(L_T, N, E)
    kpm = np.zeros((N, L_T), bool)
    am = np.zeros((L_T, L_T), np.float32)
    for L in (real, torch):
        m = L.nn.MultiheadAttention(E, H)
        with pytest.warns(UserWarning, match="Support for mismatched key_padding_mask and "
                                             "attn_mask is deprecated"):
            m(*[L.tensor(x)] * 3, key_padding_mask=L.tensor(kpm), attn_mask=L.tensor(am))


# ---- transformer layers ------------------------------------------------------------------------
D_MODEL, FF = 8, 16

ENCODER_LAYERS = {
    "post_norm": ({}, {}),
    "pre_norm_gelu": ({"norm_first": True, "activation": "gelu"}, {}),
    "batch_first_mask": ({"batch_first": True}, {"mask": "float", "kpm": True}),
    "callable_activation": ({"activation": lambda L: L.nn.functional.silu}, {"mask": "bool"}),
    "module_activation": ({"activation": lambda L: L.nn.GELU(), "bias": False,
                           "layer_norm_eps": 1e-3}, {"causal": True}),
    "unbatched": ({}, {"unbatched": True}),
}


def _activation(kw, L):
    kw = dict(kw)
    if callable(kw.get("activation")):
        kw["activation"] = kw["activation"](L)
    return kw


def _src_masks(real, cfg, length, batch_first, t_prefix=""):
    t_kw, o_kw = {}, {}
    if cfg.get("mask") == "float":
        a = randn(length, length, seed=11)
    elif cfg.get("mask") == "bool":
        a = ~_bool_mask((length, length), 12)
    elif cfg.get("causal"):
        a = np.triu(np.full((length, length), -np.inf, np.float32), 1)
        t_kw["is_causal"] = o_kw["is_causal"] = True
    else:
        a = None
    if a is not None:
        t_kw["src_mask"], o_kw["src_mask"] = real.tensor(a), torch.tensor(a)
    if cfg.get("kpm"):
        m = np.zeros((N, length), bool)
        m[1:, -2:] = True
        t_kw["src_key_padding_mask"] = real.tensor(m)
        o_kw["src_key_padding_mask"] = torch.tensor(m)
    return t_kw, o_kw


def _seq(length, batch_first, unbatched=False, seed=0):
    if unbatched:
        return randn(length, D_MODEL, seed=seed)
    return randn(N, length, D_MODEL, seed=seed) if batch_first else \
        randn(length, N, D_MODEL, seed=seed)


@pytest.mark.parametrize("name", sorted(ENCODER_LAYERS))
def test_encoder_layer(real, name):
    mod_kw, cfg = ENCODER_LAYERS[name]
    ours, theirs = make_pair(real, lambda L: L.nn.TransformerEncoderLayer(
        D_MODEL, H, FF, dropout=0.0, **_activation(mod_kw, L)))
    bf = mod_kw.get("batch_first", False)
    t_in, o_in = both(real, [_seq(5, bf, cfg.get("unbatched", False))])
    t_kw, o_kw = _src_masks(real, cfg, 5, bf)
    t_out, o_out = theirs(*t_in, **t_kw), ours(*o_in, **o_kw)
    close(o_out, t_out)
    assert type(o_out.grad_fn).__name__ == type(t_out.grad_fn).__name__
    backward_both(real, [t_out], [o_out])
    grads_close(t_in, o_in)
    param_grads_close(ours, theirs)


DECODER_LAYERS = {
    "post_norm": ({}, {}),
    "pre_norm_masks": ({"norm_first": True, "batch_first": True},
                       {"tgt_causal": True, "memory_mask": True, "kpm": True}),
    "gelu_tgt_mask": ({"activation": "gelu"}, {"tgt_mask": True}),
}


def _decoder_kwargs(real, cfg, bf):
    t_kw, o_kw = {}, {}

    def put(key, arr):
        t_kw[key], o_kw[key] = real.tensor(arr), torch.tensor(arr)

    if cfg.get("tgt_causal"):
        put("tgt_mask", np.triu(np.full((4, 4), -np.inf, np.float32), 1))
        t_kw["tgt_is_causal"] = o_kw["tgt_is_causal"] = True
    elif cfg.get("tgt_mask"):
        put("tgt_mask", ~_bool_mask((4, 4), 3))
    if cfg.get("memory_mask"):
        put("memory_mask", randn(4, 5, seed=13))
    if cfg.get("kpm"):
        m = np.zeros((N, 5), bool)
        m[0, -1] = True
        put("memory_key_padding_mask", m)
        m2 = np.zeros((N, 4), bool)
        m2[2, -2:] = True
        put("tgt_key_padding_mask", m2)
    return t_kw, o_kw


@pytest.mark.parametrize("name", sorted(DECODER_LAYERS))
def test_decoder_layer(real, name):
    mod_kw, cfg = DECODER_LAYERS[name]
    ours, theirs = make_pair(real, lambda L: L.nn.TransformerDecoderLayer(
        D_MODEL, H, FF, dropout=0.0, **mod_kw))
    bf = mod_kw.get("batch_first", False)
    t_in, o_in = both(real, [_seq(4, bf, seed=1), _seq(5, bf, seed=2)])
    t_kw, o_kw = _decoder_kwargs(real, cfg, bf)
    t_out, o_out = theirs(*t_in, **t_kw), ours(*o_in, **o_kw)
    close(o_out, t_out)
    backward_both(real, [t_out], [o_out])
    grads_close(t_in, o_in)
    param_grads_close(ours, theirs)


def test_encoder_and_decoder_stacks(real):
    def enc(L):
        layer = L.nn.TransformerEncoderLayer(D_MODEL, H, FF, dropout=0.0)
        return L.nn.TransformerEncoder(layer, 2, norm=L.nn.LayerNorm(D_MODEL),
                                       enable_nested_tensor=False)

    def dec(L):
        layer = L.nn.TransformerDecoderLayer(D_MODEL, H, FF, dropout=0.0, norm_first=True)
        return L.nn.TransformerDecoder(layer, 2)

    ours_e, theirs_e = make_pair(real, enc)
    ours_d, theirs_d = make_pair(real, dec)
    assert "layers.1.self_attn.in_proj_weight" in ours_e.state_dict()
    causal = np.triu(np.full((5, 5), -np.inf, np.float32), 1)
    t_in, o_in = both(real, [_seq(5, False), _seq(4, False, seed=3)])
    # a causal float mask with is_causal=None: detected as causal, as torch does
    t_mem = theirs_e(t_in[0], mask=real.tensor(causal))
    o_mem = ours_e(o_in[0], mask=torch.tensor(causal))
    close(o_mem, t_mem)
    tgt_causal = np.triu(np.full((4, 4), -np.inf, np.float32), 1)
    t_out = theirs_d(t_in[1], t_mem, tgt_mask=real.tensor(tgt_causal))
    o_out = ours_d(o_in[1], o_mem, tgt_mask=torch.tensor(tgt_causal))
    close(o_out, t_out)
    backward_both(real, [t_out], [o_out])
    grads_close(t_in, o_in)
    param_grads_close(ours_e, theirs_e)
    param_grads_close(ours_d, theirs_d)


def test_full_transformer(real):
    def make(L):
        return L.nn.Transformer(D_MODEL, H, 1, 1, FF, dropout=0.0, batch_first=True)

    ours, theirs = make_pair(real, make)
    assert list(ours.state_dict()) == list(theirs.state_dict())
    src, tgt = _seq(5, True, seed=1), _seq(4, True, seed=2)
    t_in, o_in = both(real, [src, tgt])
    t_mask = real.nn.Transformer.generate_square_subsequent_mask(4)
    o_mask = torch.nn.Transformer.generate_square_subsequent_mask(4)
    close(o_mask, t_mask)
    assert repr(o_mask) == repr(t_mask)
    kpm = np.zeros((N, 5), bool)
    kpm[1, -2:] = True
    t_out = theirs(*t_in, tgt_mask=t_mask, src_key_padding_mask=real.tensor(kpm),
                   memory_key_padding_mask=real.tensor(kpm))
    o_out = ours(*o_in, tgt_mask=o_mask, src_key_padding_mask=torch.tensor(kpm),
                 memory_key_padding_mask=torch.tensor(kpm))
    close(o_out, t_out)
    backward_both(real, [t_out], [o_out])
    grads_close(t_in, o_in)
    param_grads_close(ours, theirs)


def test_transformer_reprs_and_keys(real):
    makers = [
        lambda L: L.nn.Transformer(D_MODEL, H, 2, 1, FF, activation="gelu", norm_first=True),
        lambda L: L.nn.TransformerEncoderLayer(D_MODEL, H, bias=False),
        lambda L: L.nn.TransformerDecoder(L.nn.TransformerDecoderLayer(D_MODEL, H, FF), 3,
                                          L.nn.LayerNorm(D_MODEL)),
    ]
    for make in makers:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            t, o = make(real), make(torch)
        assert repr(o) == repr(t)
        assert [(k, tuple(v.shape)) for k, v in o.state_dict().items()] == \
               [(k, tuple(v.shape)) for k, v in t.state_dict().items()]


def test_transformer_checks(real):
    for L in (real, torch):
        with pytest.raises(RuntimeError, match="activation should be relu/gelu, not tanh"):
            L.nn.TransformerEncoderLayer(D_MODEL, H, activation="tanh")
    cases = []
    for L in (real, torch):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            m = L.nn.Transformer(D_MODEL, H, 1, 1, FF)
        errs = []
        for src, tgt in ((randn(5, 2, D_MODEL), randn(4, 3, D_MODEL)),
                         (randn(5, 3, 6), randn(4, 3, 6))):
            with pytest.raises(RuntimeError) as e:
                m(L.tensor(src), L.tensor(tgt))
            errs.append(str(e.value))
        cases.append(errs)
    assert cases[0] == cases[1]


def test_nested_tensor_warning(real):
    msgs = []
    for L in (real, torch):
        with pytest.warns(UserWarning) as rec:
            L.nn.TransformerEncoder(L.nn.TransformerEncoderLayer(D_MODEL, H, FF), 1)
        msgs.append([str(w.message) for w in rec if "enable_nested_tensor" in str(w.message)])
    assert msgs[0] == msgs[1] and len(msgs[0]) == 1
    for L in (real, torch):  # batch_first, post-norm, even heads: no warning
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            L.nn.TransformerEncoder(L.nn.TransformerEncoderLayer(D_MODEL, H, FF,
                                                                 batch_first=True), 1)


def test_encoder_eval_fast_path_zeroes_padding(real):
    # eval + no_grad + batch_first + a left-aligned padding mask: torch packs the batch into
    # a nested tensor, and padded positions come back as zeros (then the final norm)
    for norm in (False, True):
        def make(L, norm=norm):
            layer = L.nn.TransformerEncoderLayer(D_MODEL, H, FF, batch_first=True)
            return L.nn.TransformerEncoder(layer, 2, L.nn.LayerNorm(D_MODEL) if norm else None)

        ours, theirs = make_pair(real, make, train=False)
        x = _seq(5, True, seed=4)
        kpm = np.zeros((N, 5), bool)
        kpm[0, -2:] = True
        kpm[2, -1:] = True
        with real.no_grad():
            t_out = theirs(real.tensor(x), src_key_padding_mask=real.tensor(kpm))
        with torch.no_grad():
            o_out = ours(torch.tensor(x), src_key_padding_mask=torch.tensor(kpm))
        close(o_out, t_out)
        if not norm:
            assert not np_(o_out)[kpm].any()
        # with grad enabled and parameters requiring grad torch takes the composed path
        t_slow = theirs(real.tensor(x), src_key_padding_mask=real.tensor(kpm))
        o_slow = ours(torch.tensor(x), src_key_padding_mask=torch.tensor(kpm))
        close(o_slow, t_slow)
        assert np_(o_slow)[kpm].any()


def test_train_one_layer_encoder(real):
    """30 Adam steps on a synthetic sequence task, same weights and data in both libraries:
    the loss curves agree (float32 drift allowed to grow slowly)."""
    rng = np.random.default_rng(0)
    xs = rng.standard_normal((30, N, 6, D_MODEL)).astype(np.float32)
    ys = np.cumsum(xs[..., :2], axis=2).astype(np.float32)  # needs causal attention

    def make(L):
        return L.nn.ModuleDict({
            "enc": L.nn.TransformerEncoder(L.nn.TransformerEncoderLayer(
                D_MODEL, H, FF, dropout=0.0, batch_first=True), 1, enable_nested_tensor=False),
            "head": L.nn.Linear(D_MODEL, 2)})

    ours, theirs = make_pair(real, make)
    curves = []
    for L, model in ((real, theirs), (torch, ours)):
        opt = L.optim.Adam(model.parameters(), lr=3e-3)
        mask = L.nn.Transformer.generate_square_subsequent_mask(6)
        losses = []
        for x, y in zip(xs, ys, strict=True):
            opt.zero_grad()
            out = model["head"](model["enc"](L.tensor(x), mask=mask, is_causal=True))
            loss = L.nn.functional.mse_loss(out, L.tensor(y))
            loss.backward()
            opt.step()
            losses.append(loss.item())
        curves.append(np.array(losses))
    assert curves[0][-5:].mean() < curves[0][:5].mean()  # it learns
    np.testing.assert_allclose(curves[1], curves[0], rtol=1e-3, atol=1e-4)
