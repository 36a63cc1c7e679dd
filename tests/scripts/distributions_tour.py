"""Probability code in the style of the VAE and policy-gradient chapters: log-probabilities,
entropies, KL terms and their gradients, reparameterised samples, shapes."""
import torch
from torch.distributions import Bernoulli, Categorical, Independent, Normal, Uniform, kl_divergence

torch.manual_seed(0)

# a diagonal Gaussian posterior against a standard-normal prior, as in a VAE's loss
mu = torch.tensor([[0.5, -1.0, 0.0]], requires_grad=True)
log_var = torch.tensor([[0.0, -0.5, 0.3]], requires_grad=True)
q = Normal(mu, torch.exp(0.5 * log_var))
p = Normal(torch.zeros(1, 3), torch.ones(1, 3))
kl = kl_divergence(q, p).sum()
print("KL:", kl)
kl.backward()
print("dKL/dmu:", mu.grad)
print("dKL/dlogvar:", log_var.grad)

z = q.rsample((4,))
print("rsample shape:", z.shape, "requires_grad:", z.requires_grad)
print("batch/event shape:", q.batch_shape, q.event_shape)
diag = Independent(q, 1)
print("Independent:", diag.batch_shape, diag.event_shape)
print("log_prob of the mean:", diag.log_prob(mu.detach()))

# a policy over 4 actions, as in REINFORCE
logits = torch.tensor([1.0, 0.5, -0.5, 0.0], requires_grad=True)
policy = Categorical(logits=logits)
print("probs:", policy.probs)
print("entropy:", policy.entropy())
action = torch.tensor(2)
loss = -policy.log_prob(action) * 3.0
loss.backward()
print("policy gradient:", logits.grad)

coin = Bernoulli(probs=torch.tensor([0.2, 0.9]))
print("Bernoulli mean/variance:", coin.mean, coin.variance)
print("log_prob:", coin.log_prob(torch.tensor([1.0, 0.0])))
box = Uniform(torch.tensor(-1.0), torch.tensor(3.0))
print("Uniform cdf/icdf:", box.cdf(torch.tensor(0.0)), box.icdf(torch.tensor(0.75)))
draws = box.sample((1000,))
print("draws inside support:", bool(((draws >= -1) & (draws < 3)).all()), draws.shape)
try:
    Normal(torch.tensor(0.0), torch.tensor(-1.0))
except ValueError as err:
    print("ValueError:", str(err).split(" found invalid values")[0])
