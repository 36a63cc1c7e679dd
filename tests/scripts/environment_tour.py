"""The first lines of many notebooks: which version and device, where tensors go by default,
plus the saved-tensor helpers memory-minded tutorials reach for and inference-mode tensors."""
import torch

print("version >= 2.0:", torch.__version__ >= "2.0", "| >= (2, 1):", torch.__version__ >= (2, 1))
print("cuda available:", torch.cuda.is_available(), "| device count:", torch.cuda.device_count())
print("mps available:", torch.backends.mps.is_available())
print("accelerator:", torch.accelerator.is_available(), torch.accelerator.current_accelerator())
device = "cuda" if torch.cuda.is_available() else "cpu"
print("device:", device, torch.device(device))

print("default device:", torch.get_default_device())
torch.set_default_device("cpu")
print("after set_default_device:", torch.ones(2).device)

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
with torch.autograd.graph.save_on_cpu():
    y = (x * x).sum()
y.backward()
print("grad with save_on_cpu:", x.grad)

w = torch.tensor([1.0, 2.0], requires_grad=True)
with torch.autograd.graph.allow_mutation_on_saved_tensors():
    h = w.clone()
    z = (h * h).sum()
    h.mul_(10)
    z.backward()
print("backward saw the value before the in-place write:", w.grad, h)
try:
    with torch.autograd.graph.allow_mutation_on_saved_tensors():
        with torch.autograd.graph.allow_mutation_on_saved_tensors():
            pass
except RuntimeError as err:
    print("RuntimeError:", err)

with torch.inference_mode():
    frozen = torch.ones(2) * 3
print("inference tensor:", frozen.is_inference(), torch.is_inference(frozen))
try:
    frozen._version
except RuntimeError as err:
    print("RuntimeError:", str(err).split(".")[0])
