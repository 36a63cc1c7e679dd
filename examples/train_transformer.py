"""A small transformer learns to reverse sequences of digits (synthetic data, no download).

An ordinary PyTorch script: only the import differs, and ``--real-torch`` runs it on PyTorch.
Each input is a random sequence of digits; the target at position i is the digit at position
L-1-i, so every output must attend to a different input position: the model has to learn to use
its positional embeddings through attention. A model that ignores attention stays at the chance
loss, ln(10) = 2.30.

    python examples/train_transformer.py               # torchlike_jax
    python examples/train_transformer.py --real-torch  # PyTorch

It prints the loss every few steps and writes the training curves (loss and accuracy, train and
held-out) to ``--plot`` (default: examples/transformer_curves.png).
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

if "--real-torch" in sys.argv:
    import torch
else:
    import torchlike_jax as torch

nn = torch.nn
F = torch.nn.functional

VOCAB = 10


class Reverser(nn.Module):
    """Token + learned position embeddings, a TransformerEncoder, a linear read-out per position."""

    def __init__(self, seq_len: int, d_model: int = 64, nhead: int = 4, layers: int = 2) -> None:
        super().__init__()
        self.tokens = nn.Embedding(VOCAB, d_model)
        self.positions = nn.Parameter(torch.randn(seq_len, d_model))
        layer = nn.TransformerEncoderLayer(d_model, nhead, dim_feedforward=4 * d_model,
                                           dropout=0.0, batch_first=True, norm_first=True)
        self.encoder = nn.TransformerEncoder(layer, layers, enable_nested_tensor=False)
        self.norm = nn.LayerNorm(d_model)
        self.head = nn.Linear(d_model, VOCAB)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.tokens(x) + self.positions
        return self.head(self.norm(self.encoder(h)))


def batch(n: int, seq_len: int, generator: torch.Generator) -> tuple[torch.Tensor, torch.Tensor]:
    x = torch.randint(0, VOCAB, (n, seq_len), generator=generator)
    return x, x.flip(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--seq-len", type=int, default=8)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=3e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--real-torch", action="store_true", help="run on PyTorch itself")
    parser.add_argument("--plot", default=str(Path(__file__).with_name("transformer_curves.png")))
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    data_gen = torch.Generator().manual_seed(args.seed)
    held_out = batch(512, args.seq_len, torch.Generator().manual_seed(args.seed + 1))
    model = Reverser(args.seq_len)
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=0.01)

    def warmup_cosine(step: int) -> float:
        return min(1.0, (step + 1) / 20) * 0.5 * (1 + math.cos(math.pi * step / args.steps))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, warmup_cosine)

    backend = "PyTorch " + torch.__version__ if args.real_torch else "torchlike_jax"
    print(f"{backend}: {sum(p.numel() for p in model.parameters())} parameters, "
          f"reversing length-{args.seq_len} digit sequences")
    history: dict[str, list[float]] = {"step": [], "train_loss": [], "held_out_loss": [],
                                       "held_out_accuracy": []}
    start = time.perf_counter()
    for step in range(1, args.steps + 1):
        model.train()
        x, y = batch(args.batch_size, args.seq_len, data_gen)
        loss = F.cross_entropy(model(x).reshape(-1, VOCAB), y.reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        scheduler.step()
        if step % 10 == 0 or step == 1:
            model.eval()
            with torch.no_grad():
                logits = model(held_out[0])
                held_loss = F.cross_entropy(logits.reshape(-1, VOCAB), held_out[1].reshape(-1))
                accuracy = (logits.argmax(-1) == held_out[1]).float().mean()
            history["step"].append(step)
            history["train_loss"].append(loss.item())
            history["held_out_loss"].append(held_loss.item())
            history["held_out_accuracy"].append(accuracy.item())
            print(f"step {step:4d}  train loss {loss.item():.4f}  held-out loss "
                  f"{held_loss.item():.4f}  held-out accuracy {accuracy.item():.1%}")
    elapsed = time.perf_counter() - start
    first, last = history["held_out_loss"][0], history["held_out_loss"][-1]
    print(f"held-out loss {first:.3f} -> {last:.3f} ({first / last:.0f}x lower), "
          f"{elapsed:.1f} s for {args.steps} steps")

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax_loss, ax_acc) = plt.subplots(1, 2, figsize=(10, 3.8))
    ax_loss.semilogy(history["step"], history["train_loss"], label="train (batch)")
    ax_loss.semilogy(history["step"], history["held_out_loss"], label="held out")
    ax_loss.axhline(math.log(VOCAB), color="grey", ls=":", label="chance (ln 10)")
    ax_loss.set(xlabel="step", ylabel="cross-entropy", title="loss")
    ax_loss.legend()
    ax_acc.plot(history["step"], history["held_out_accuracy"], color="C1")
    ax_acc.set(xlabel="step", ylabel="accuracy", ylim=(0, 1.02), title="held-out accuracy")
    fig.suptitle(f"Transformer reversing digit sequences ({backend})")
    fig.tight_layout()
    fig.savefig(args.plot, dpi=110)
    print(f"training curves written to {args.plot}")


if __name__ == "__main__":
    main()
