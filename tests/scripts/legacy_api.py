"""Code in the style of 2017-era tutorials: Variable, typed tensor classes, torch.range."""
import torch
from torch.autograd import Variable

x = Variable(torch.FloatTensor([[1, 2], [3, 4]]), requires_grad=True)
print(x, isinstance(x, Variable), isinstance(x, torch.FloatTensor))
y = (x * x).sum()
y.backward()
print("grad:", x.grad)

steps = torch.range(0, 1, 0.25)
print(steps, steps.type())
ids = torch.LongTensor([3, 1, 2])
print(ids, ids.type(), isinstance(ids, torch.FloatTensor))
print(ids.type(torch.DoubleTensor), ids.type("torch.IntTensor").dtype)
buf = torch.FloatTensor(2, 3).zero_()
print(buf, buf.shape)
mask = torch.ByteTensor([1, 0, 1])
print(mask, torch.BoolTensor([True, False]))

a = torch.linspace(-1, 1, 5)
torch.relu_(a)
print("relu_:", a)
torch.clamp_(a, max=0.5)
print("clamp_:", a)
torch.exp_(a)
print("exp_:", a)
