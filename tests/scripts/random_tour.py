"""Random numbers as tutorials use them: seeding for reproducibility, sampling functions, RNG
state save/restore. The values come from each library's own generator, so this prints only
what must agree: shapes, dtypes, reproducibility and the samplers' guarantees."""
import torch

torch.manual_seed(42)
a = torch.rand(3)
torch.manual_seed(42)
b = torch.rand(3)
print("same seed, same draws:", torch.equal(a, b), a.dtype, a.shape)

state = torch.get_rng_state()
first = torch.randn(2, 2)
torch.set_rng_state(state)
print("restored state repeats:", torch.equal(first, torch.randn(2, 2)))

with torch.random.fork_rng():
    torch.rand(5)
after_fork = torch.rand(1)
torch.set_rng_state(state)
torch.randn(2, 2)
print("fork_rng leaves the stream alone:", torch.equal(after_fork, torch.rand(1)))

weights = torch.tensor([0.0, 10.0, 0.0, 5.0])
picks = torch.multinomial(weights, 2)
print("multinomial without replacement:", sorted(picks.tolist()), picks.dtype)
many = torch.multinomial(torch.tensor([1.0, 0.0, 1.0]), 50, replacement=True)
print("zero-weight category never drawn:", bool((many != 1).all()), many.shape)

n = torch.normal(mean=torch.zeros(4), std=torch.ones(4))
print("normal:", n.shape, n.dtype)
coins = torch.bernoulli(torch.tensor([0.0, 1.0, 1.0]))
print("bernoulli of 0 and 1:", coins)
counts = torch.poisson(torch.zeros(3))
print("poisson of rate 0:", counts)
perm = torch.randperm(6)
print("randperm is a permutation:", sorted(perm.tolist()), perm.dtype)
ints = torch.randint(3, 7, (100,))
print("randint range:", int(ints.min()) >= 3, int(ints.max()) <= 6, ints.dtype)
g = torch.Generator().manual_seed(7)
x1 = torch.rand(2, generator=g)
g.manual_seed(7)
print("generator reseeded:", torch.equal(x1, torch.rand(2, generator=g)))
t = torch.empty(3).uniform_(2.0, 2.5)
print("uniform_ bounds:", bool(((t >= 2.0) & (t < 2.5)).all()))
