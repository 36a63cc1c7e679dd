"""Optimizer and scheduler scenarios shared by the live torch tests and the recorded fixtures.

Each scenario takes a library (``torchlike_jax`` or real ``torch``) and returns plain numpy / Python
values, so the same code runs on both: ``tests/differential/test_optim.py`` and
``tests/differential/test_lr_scheduler.py`` compare live, ``tools/record_optim_fixtures.py`` records
torch's answers into ``tests/fixtures/optim.json`` and ``tests/differential/test_optim_fixtures.py``
checks ours against that file without torch installed.
"""

from __future__ import annotations

import warnings

import numpy as np

# ---- optimizers: a small regression with a quartic penalty, two parameters, 20 steps ----------
RNG = np.random.default_rng(1234)
X = RNG.standard_normal((16, 3)).astype(np.float32)
Y = RNG.standard_normal((16, 2)).astype(np.float32)
W0 = RNG.standard_normal((3, 2)).astype(np.float32)
B0 = RNG.standard_normal(2).astype(np.float32)

GRID = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.05, "momentum": 0.9}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 0.1}),
    ("SGD", {"lr": 0.05, "momentum": 0.5, "dampening": 0.3, "maximize": True}),
    ("SGD", {"lr": 0.05, "weight_decay": 0.2}),
    ("Adam", {}),
    ("Adam", {"lr": 0.05}),
    ("Adam", {"lr": 0.05, "amsgrad": True}),
    ("Adam", {"lr": 0.05, "weight_decay": 0.1, "betas": (0.8, 0.99)}),
    ("Adam", {"lr": 0.05, "maximize": True, "amsgrad": True, "eps": 1e-6}),
    ("Adam", {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("AdamW", {"lr": 0.05}),
    ("AdamW", {"lr": 0.05, "amsgrad": True, "weight_decay": 0.3}),
    ("AdamW", {"lr": 0.05, "maximize": True}),
    ("RMSprop", {}),
    ("RMSprop", {"lr": 0.01, "momentum": 0.9}),
    ("RMSprop", {"lr": 0.01, "centered": True}),
    ("RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.5, "weight_decay": 0.1,
                 "alpha": 0.9}),
    ("RMSprop", {"lr": 0.01, "maximize": True}),
    ("Adagrad", {}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.01}),
    ("Adagrad", {"lr": 0.1, "weight_decay": 0.1, "initial_accumulator_value": 0.1,
                 "eps": 1e-6}),
    ("Adagrad", {"lr": 0.1, "maximize": True}),
    ("Adamax", {}),
    ("Adamax", {"lr": 0.05, "weight_decay": 0.1, "betas": (0.8, 0.95)}),
    ("Adamax", {"lr": 0.05, "maximize": True, "eps": 1e-4}),
    ("NAdam", {}),
    ("NAdam", {"lr": 0.05, "weight_decay": 0.1, "momentum_decay": 0.01}),
    ("NAdam", {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True,
               "maximize": True}),
    ("RAdam", {}),
    ("RAdam", {"lr": 0.05, "betas": (0.9, 0.9)}),  # rho_t passes 5 within the 20 steps
    ("RAdam", {"lr": 0.05, "weight_decay": 0.1, "decoupled_weight_decay": True}),
    ("RAdam", {"lr": 0.05, "weight_decay": 0.1, "maximize": True}),
    ("Adadelta", {}),
    ("Adadelta", {"lr": 0.5, "rho": 0.8, "weight_decay": 0.1, "eps": 1e-4}),
    ("Adadelta", {"lr": 0.5, "maximize": True}),
    ("Rprop", {}),
    ("Rprop", {"lr": 0.05, "etas": (0.3, 1.5), "step_sizes": (1e-3, 0.2)}),
    ("Rprop", {"lr": 0.05, "maximize": True}),
    ("ASGD", {}),
    ("ASGD", {"lr": 0.05, "lambd": 1e-2, "alpha": 0.5, "t0": 5, "weight_decay": 0.1}),
    ("ASGD", {"lr": 0.002, "t0": 0, "maximize": True}),  # ascent on a quartic: keep it small
]


def _ids(case):
    return case[0] + "-" + "-".join(f"{k}={v}" for k, v in case[1].items())


def _problem(lib):
    w = lib.tensor(W0.copy(), requires_grad=True)
    b = lib.tensor(B0.copy(), requires_grad=True)
    x, y = lib.tensor(X), lib.tensor(Y)

    def loss_fn():
        return ((x @ w + b - y) ** 2).mean() + (w ** 4).sum() * 0.01

    return w, b, loss_fn


def _flat(ts):
    return np.concatenate([t.detach().numpy().ravel() for t in ts])


def _train(opt, params, loss_fn, n):
    traj = []
    for _ in range(n):
        opt.zero_grad()
        loss_fn().backward()
        opt.step()
        traj.append(_flat(params))
    return np.array(traj)


def _state_np(sd):
    out = {}
    for k, st in sd["state"].items():
        out[k] = {n: (v.detach().numpy().copy(), str(v.dtype).replace("torch.", ""),
                      tuple(v.shape)) if hasattr(v, "detach") else v for n, v in st.items()}
    return out


def _trajectory(lib, name, kw, n=20):
    w, b, loss_fn = _problem(lib)
    opt = getattr(lib.optim, name)([w, b], **kw)
    traj = _train(opt, [w, b], loss_fn, n)
    sd = opt.state_dict()
    groups = [{k: v for k, v in g.items()} for g in sd["param_groups"]]
    return traj, _state_np(sd), groups, repr(opt)



# ---- schedulers: get_last_lr() over 30 epochs on an SGD with two parameter groups -------------
def _opt(lib, name="SGD", two_groups=True, **kw):
    a = lib.zeros(2, requires_grad=True)
    b = lib.zeros(3, requires_grad=True)
    groups = [{"params": [a]}, {"params": [b], "lr": 0.5}] if two_groups else [a, b]
    kw.setdefault("lr", 0.1)
    if name == "SGD":
        kw.setdefault("momentum", 0.9)
    return getattr(lib.optim, name)(groups, **kw), (a, b)


def _lam(e):
    return 0.95 ** e


SCHEDULERS = {
    "StepLR": lambda S, o: S.StepLR(o, step_size=4, gamma=0.5),
    "MultiStepLR": lambda S, o: S.MultiStepLR(o, milestones=[3, 7, 7, 20], gamma=0.3),
    "ExponentialLR": lambda S, o: S.ExponentialLR(o, gamma=0.9),
    "CosineAnnealingLR": lambda S, o: S.CosineAnnealingLR(o, T_max=10, eta_min=0.01),
    "CosineAnnealingLR-long": lambda S, o: S.CosineAnnealingLR(o, T_max=40),
    "LambdaLR": lambda S, o: S.LambdaLR(o, lr_lambda=_lam),
    "LambdaLR-list": lambda S, o: S.LambdaLR(o, lr_lambda=[_lam, lambda e: 1 / (e + 1)]),
    "MultiplicativeLR": lambda S, o: S.MultiplicativeLR(o, lr_lambda=lambda e: 0.97),
    "LinearLR": lambda S, o: S.LinearLR(o, start_factor=0.25, end_factor=1.0, total_iters=8),
    "LinearLR-down": lambda S, o: S.LinearLR(o, start_factor=1.0, end_factor=0.1,
                                             total_iters=12),
    "ConstantLR": lambda S, o: S.ConstantLR(o, factor=0.5, total_iters=4),
    "PolynomialLR": lambda S, o: S.PolynomialLR(o, total_iters=20, power=2.0),
    "OneCycleLR": lambda S, o: S.OneCycleLR(o, max_lr=1.0, total_steps=31),
    "OneCycleLR-3phase-linear": lambda S, o: S.OneCycleLR(
        o, max_lr=[1.0, 2.0], epochs=4, steps_per_epoch=8, anneal_strategy="linear",
        three_phase=True, pct_start=0.25),
    "CyclicLR": lambda S, o: S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=4),
    "CyclicLR-triangular2": lambda S, o: S.CyclicLR(
        o, base_lr=[0.01, 0.02], max_lr=[0.1, 0.3], step_size_up=3, step_size_down=5,
        mode="triangular2"),
    "CyclicLR-exp_range": lambda S, o: S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=5,
                                                  mode="exp_range", gamma=0.97,
                                                  cycle_momentum=False),
    "CyclicLR-scale_fn": lambda S, o: S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=2,
                                                 scale_fn=lambda x: 0.5 ** x,
                                                 scale_mode="iterations"),
    "CosineAnnealingWarmRestarts": lambda S, o: S.CosineAnnealingWarmRestarts(o, T_0=5),
    "CosineAnnealingWarmRestarts-mult": lambda S, o: S.CosineAnnealingWarmRestarts(
        o, T_0=3, T_mult=2, eta_min=0.001),
    "SequentialLR": lambda S, o: S.SequentialLR(
        o, [S.LinearLR(o, start_factor=0.1, total_iters=5),
            S.CosineAnnealingLR(o, T_max=10), S.ExponentialLR(o, gamma=0.9)],
        milestones=[5, 15]),
    "ChainedScheduler": lambda S, o: S.ChainedScheduler(
        [S.ConstantLR(o, factor=0.5, total_iters=4), S.ExponentialLR(o, gamma=0.9)]),
}


def _sequence(lib, name, opt_name="SGD", epochs=30):
    opt, (a, b) = _opt(lib, opt_name)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        sched = SCHEDULERS[name](lib.optim.lr_scheduler, opt)
        lrs = [sched.get_last_lr()]
        extra = []
        for _ in range(epochs):
            a.grad, b.grad = lib.ones(2), lib.ones(3)
            opt.step()
            sched.step()
            lrs.append(sched.get_last_lr())
            extra.append({k: v for k, v in opt.param_groups[0].items()
                          if k in ("momentum", "betas")})
    msgs = [str(x.message) for x in w]
    return lrs, extra, msgs, getattr(sched, "last_epoch", None), [a.tolist(), b.tolist()]
