"""Summary statistics of a small grade table, written the numpy way (axis=, keepdims=, size=)."""
import torch

scores = torch.tensor([[72.0, 85.0, 90.0, 64.0],
                       [88.0, 79.0, 95.0, 70.0],
                       [60.0, 92.0, 81.0, 77.0]])
print("per student mean:", torch.mean(scores, axis=1))
print("per exam max:", scores.max(axis=0).values)
print("best student per exam:", torch.argmax(scores, axis=0))
print("spread per exam:", scores.std(axis=0, keepdims=True))
centred = scores - scores.mean(axis=1, keepdims=True)
print("centred:\n", centred)
print("running total:", torch.cumsum(scores[0], axis=0))
print("log-sum-exp:", torch.logsumexp(scores / 10, axis=1))
print("passed all:", torch.all(scores > 60, axis=1))
print("any above 90:", (scores > 90).any(axis=0))
weights = torch.full(size=(4,), fill_value=0.25)
print("weighted:", torch.sum(scores * weights, axis=1, keepdims=True))
print("template:", torch.zeros(size=(2, 3)), torch.ones(size=[3]).dtype)
print("median:", torch.median(scores, axis=1))
print("amax/amin:", torch.amax(scores, axis=1), scores.amin(axis=0))
