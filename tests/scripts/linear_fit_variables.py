"""Fit y = 2x + 1 by hand-written gradient descent, the pre-0.4 way (Variable + .data)."""
import torch
from torch.autograd import Variable

xs = torch.range(0, 9).view(-1, 1) / 10
ys = 2 * xs + 1
w = Variable(torch.zeros(1, 1), requires_grad=True)
b = Variable(torch.zeros(1), requires_grad=True)
lr = 0.5
for step in range(60):
    pred = xs.mm(w) + b
    loss = ((pred - ys) ** 2).mean()
    loss.backward()
    w.data -= lr * w.grad.data
    b.data -= lr * b.grad.data
    w.grad.data.zero_()
    b.grad.data.zero_()
    if step % 20 == 0:
        print(f"step {step:2d} loss {loss.item():.4f}")
print("w =", round(w.item(), 2), "b =", round(b.item(), 2))
print(pred.type(), isinstance(pred, torch.FloatTensor))
