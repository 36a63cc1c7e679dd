"""Train a small CNN on scikit-learn's handwritten digits (8x8 images, bundled: no download).

An ordinary PyTorch training script: the only line that differs from one written for PyTorch is
the import. Run it with ``--real-torch`` and the same code runs on PyTorch itself.

    python examples/train_digits.py                 # torchlike_jax, eager
    python examples/train_digits.py --compile       # the whole training step compiled
    python examples/train_digits.py --real-torch    # the same script on PyTorch

It prints a progress bar per epoch (tqdm), the test accuracy, the time per epoch, and saves a
checkpoint (``--checkpoint PATH``) that ``torch.load`` in real PyTorch reads back.
"""

from __future__ import annotations

import argparse
import sys
import time

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from tqdm import tqdm

if "--real-torch" in sys.argv:
    import torch
else:
    import torchlike_jax as torch

nn = torch.nn
F = torch.nn.functional
DataLoader = torch.utils.data.DataLoader
TensorDataset = torch.utils.data.TensorDataset


class DigitsCNN(nn.Module):
    """Two 3x3 convolutions, one 2x2 max-pool, a hidden layer with dropout, ten logits."""

    def __init__(self) -> None:
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, kernel_size=3, padding=1),
            nn.ReLU(),
            nn.Conv2d(16, 32, kernel_size=3, padding=1),
            nn.BatchNorm2d(32),
            nn.ReLU(),
            nn.MaxPool2d(2),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(32 * 4 * 4, 64),
            nn.ReLU(),
            nn.Dropout(0.2),
            nn.Linear(64, 10),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(x))


def load_data(seed: int) -> tuple[TensorDataset, TensorDataset]:
    digits = load_digits()
    images = (digits.images / 16.0).astype(np.float32)[:, None]  # (N, 1, 8, 8) in [0, 1]
    x_train, x_test, y_train, y_test = train_test_split(
        images, digits.target, test_size=0.25, random_state=seed, stratify=digits.target)
    return (TensorDataset(torch.from_numpy(x_train), torch.from_numpy(y_train).long()),
            TensorDataset(torch.from_numpy(x_test), torch.from_numpy(y_test).long()))


def evaluate(model: nn.Module, loader: DataLoader) -> float:
    model.eval()
    correct = total = 0
    with torch.no_grad():
        for x, y in loader:
            correct += (model(x).argmax(dim=1) == y).sum().item()
            total += y.numel()
    return correct / total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=15)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--compile", action="store_true", help="compile the whole training step")
    parser.add_argument("--real-torch", action="store_true", help="run on PyTorch itself")
    parser.add_argument("--checkpoint", default="digits_cnn.pt")
    parser.add_argument("--no-progress", action="store_true", help="no progress bars")
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    train_set, test_set = load_data(args.seed)
    train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True,
                              drop_last=True)
    test_loader = DataLoader(test_set, batch_size=256)

    model = DigitsCNN()
    optimizer = torch.optim.Adam(model.parameters(), lr=args.lr)
    steps = args.epochs * len(train_loader)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=args.lr, total_steps=steps)

    def train_step(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        scheduler.step()
        return loss

    if args.compile:
        train_step = torch.compile(train_step)

    backend = "PyTorch " + torch.__version__ if args.real_torch else "torchlike_jax"
    print(f"{backend}{' (compiled step)' if args.compile else ''}: "
          f"{len(train_set)} training / {len(test_set)} test images, "
          f"{sum(p.numel() for p in model.parameters())} parameters")
    epoch_times = []
    for epoch in range(1, args.epochs + 1):
        model.train()
        start = time.perf_counter()
        total_loss = 0.0
        bar = tqdm(train_loader, desc=f"epoch {epoch:2d}/{args.epochs}", leave=False,
                   disable=args.no_progress)
        for x, y in bar:
            loss = train_step(x, y)
            total_loss += loss.item()
            bar.set_postfix(loss=f"{loss.item():.3f}")
        epoch_times.append(time.perf_counter() - start)
        accuracy = evaluate(model, test_loader)
        print(f"epoch {epoch:2d}  loss {total_loss / len(train_loader):.4f}  "
              f"test accuracy {accuracy:.2%}  ({epoch_times[-1]:.2f} s)")

    # the first epoch pays for compilation; later epochs show the steady state
    steady = sorted(epoch_times[1:] or epoch_times)[len(epoch_times[1:] or epoch_times) // 2]
    print(f"final test accuracy {accuracy:.2%}; first epoch {epoch_times[0]:.2f} s, "
          f"median later epoch {steady:.3f} s")
    torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                "epochs": args.epochs, "test_accuracy": accuracy}, args.checkpoint)
    print(f"checkpoint written to {args.checkpoint}")


if __name__ == "__main__":
    main()
