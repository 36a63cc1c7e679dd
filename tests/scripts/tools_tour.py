"""Measuring code as tutorials do: torch.utils.benchmark's Timer and the autograd profiler.
Timings differ run to run, so this prints what does not: the structure of what comes back."""
import torch
import torch.utils.benchmark as benchmark
from torch.autograd import profiler
from torch.profiler import ProfilerActivity, profile, record_function

x = torch.ones(64, 64)
timer = benchmark.Timer(stmt="x @ x", globals={"x": x}, label="matmul", sub_label="64x64")
m = timer.timeit(20)
print(type(m).__name__, m.number_per_run, len(m.times), m.task_spec.stmt, m.label)
print("median is positive:", m.median > 0, "| mean is positive:", m.mean > 0)
summary = repr(m).splitlines()
print(summary[0].split(" at ")[0])
print(summary[1])
print(summary[-1].split(" measurement")[0].strip() + " measurement(s)")

w = torch.randn(64, 64, requires_grad=True)
with profile(activities=[ProfilerActivity.CPU]) as prof:
    with record_function("forward_pass"):
        y = (x @ w).relu().sum()
    y.backward()
keys = {e.key for e in prof.key_averages()}
print("labelled range recorded:", "forward_pass" in keys)
table = prof.key_averages().table(sort_by="cpu_time_total", row_limit=5)
header = [c for c in table.splitlines()[1].split("  ") if c.strip()]
print([c.strip() for c in header])
last = table.strip().splitlines()[-1]
print("table ends with the total:", last.startswith("Self CPU time total"))

with profiler.profile() as legacy:
    with profiler.record_function("step"):
        (x * 2).sum()
print("legacy profiler recorded:", "step" in {e.key for e in legacy.key_averages()})
