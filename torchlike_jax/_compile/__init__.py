"""``torchlike_jax.compile`` (also ``torch.compile``): facade code traced into one ``jax.jit``.

How a call runs:

1. **Find the tensors.** Tensors passed as arguments, and tensors the function reaches through its
   closure, the globals its code names, bound ``self``, callable objects, and plain
   containers/objects holding them (lists, tuples, dicts, attributes; the methods of user classes
   are scanned too) are all *inputs*. Captured tensors are lifted to arguments, never baked in
   as constants, so a parameter updated between calls is seen. ``torch.Generator`` objects found
   the same way (and the default generator) are inputs too: their keys are threaded through.
2. **Key.** Shapes, dtypes, ``requires_grad``, inference flags, whether each tensor has a
   ``.grad`` (and its shape/dtype), storage sharing, non-tensor arguments, the grad-mode /
   inference-mode state, and the captured Python scalars the code can see (closure cells, named
   globals, and object attributes / dict entries whose name the code uses, e.g. ``self.training``
   or a global ``lr``): those are baked into the program, so a new value is a new trace. A
   different grad mode is a different program: a no_grad trace is never reused where autograd
   is needed.
3. **Trace once per key.** While tracing, every input tensor's storage temporarily holds a JAX
   tracer, so the user's own code — ops, in-place updates, ``.grad`` writes, ``loss.backward()``,
   ``p -= lr * p.grad`` under ``no_grad``, ``p.data = ...`` — runs through the normal dispatch path
   and engine on tracers. Whatever the function changed (storages, ``.data`` rebinds, ``.grad``,
   version counters, generator keys, tensors it created and stored into captured state, such as
   lazily created optimizer state: a trace that stored new tensors is not reused, the next call
   runs the function again) becomes extra outputs of the program (functionalised
   mutation); everything is restored afterwards, even when tracing fails. Non-leaf inputs act
   as non-leaves inside; a ``backward()`` inside that reaches one is continued into its eager
   history after the call.
4. **Run and write back.** The compiled program runs with the current arrays; new values are
   written back into the same tensor objects (``.grad`` keeps its identity when the eager code
   would have kept it; version counters move by what the eager code would have done). Returned
   inputs are returned as the same objects.
5. **Autograd across the boundary.** When grad mode is on and an input requires grad, the
   returned tensors (and inputs the function modified in place with history) get ONE node,
   ``CompiledFunctionBackward``. Its backward replays the traced forward with autograd recording
   and runs the engine on that replay, inside the backward's XLA program: so ``detach()``,
   ``no_grad`` blocks and ``.data`` inside the function cut gradients exactly as they do
   eagerly, and random ops see the same keys as the forward did.

**Views and aliases among the inputs.** Inputs are grouped by the storage that really holds
their memory. A group that is one view (``step(X[i:i + bs])``, ``x.t()``, ``x.view(...)``) passes
the view's value: while tracing the handle holds a fresh storage (the base is never touched) and
a write through it is applied to the base after the call, as eager code would. A group of
several storages on one base (two views of one base, a view and its base) passes the base's
array, and the views read and write it while tracing, so aliasing inside is eager's. Nothing the
trace installs outlives it: handles, bases, view caches and live views' graphs are restored.
Two cases run eagerly for their key, because only eager code gives the base the right graph:
views sharing a base with another input while autograd is on, and a write through a view input
that requires grad (eager raises torch's error for a view of a leaf, or records ``CopySlices``)
or is expanded (torch's internal-overlap error).

**Graph breaks** (torch.compile's behaviour). What cannot be traced — ``.item()``,
``float()/int()/bool()`` of a tensor, Python ``if`` on a tensor, ``print()`` (even of a string:
torch.compile graph-breaks there and prints on every call) — makes that cache key run eagerly
from then on (one warning per compiled function), so results and side effects are eager's on
every call; the first call of the key also ran the code before the break once while tracing.
A function that traces cleanly stays one XLA program, and its other Python side effects
(appending to a list, counters in plain ints) happen only while tracing (torch.compile replays
some of those on every call). ``fullgraph=True`` (or ``fallback=False``) raises
:class:`CompileError` naming the user's line instead, as torch raises ``Unsupported``.

**Host effects deferred past the program.** Library methods that only move Python state from
Python values (an lr scheduler's ``step``) start with :func:`defer_in_trace`: inside a trace the
call is recorded instead of run, and each call of the compiled function runs the recorded calls
eagerly after its program, in order. The optimizer reads its learning rates from a hidden tensor
that is a program input, so ``opt.step(); sched.step()`` inside one compiled step gives a new lr
every step with one trace. The optimizer reading state a deferred call changes later in the
same trace (``sched.step()`` before ``opt.step()``) is a graph break (:func:`check_not_deferred`).

**Modules.** ``compile(module)`` returns the wrapper a higher layer registered for its class
(:func:`register_wrapper`; ``torch.nn`` registers ``OptimizedModule``, torch's ``_orig_mod``
wrapper), built with a factory that compiles any callable with this call's options.

**Threads.** One re-entrant lock covers tracing, installing handles and the bookkeeping of a
cached call (reading inputs, writing back); the XLA program itself runs asynchronously. Compiled
functions may be called from many threads. Eager code in another thread that reads a tensor a
compiled function captures can see a tracer while that function is being traced.

**Caches** (all bounded): programs per compiled function, an LRU of ``function.CACHE_LIMIT`` (64)
entries (a long-running program with ever-new keys re-traces the oldest); the per-file "is this
library code" answers, cleared at ``scan.LIBRARY_FILES_LIMIT`` (4096). A trace is also counted
(``CompiledFunction._traces``) and warned about past ``function.RECOMPILE_LIMIT``.

Known gaps: a Python float (or int) argument is part of the key, so a new value retraces
(torch 2.13 recompiles once and then treats it as dynamic); numpy arrays the function reads are
constants of the program; a non-tensor value a deferred host effect changes and the function
returns (``sched.get_last_lr()``) is the trace's constant; tensors deeper than ``scan.MAX_DEPTH``
containers/attributes, or held in ``__slots__``, are not found; a view the function returns is
a new tensor, not a view of the input; two tensors that require grad and share one storage get
one summed gradient through a compiled forward; each cache entry keeps its latest call's
arguments alive (a backward replays on them).

**Modules**, in call order: :mod:`.api` (``compile``, ``register_wrapper``), :mod:`.function`
(``CompiledFunction``: key, cache, a call's life cycle), :mod:`.scan` (finding the tensors and
guarded scalars), :mod:`.inputs` (grouping inputs by storage), :mod:`.install` (tracers in,
everything restored after), :mod:`.trace` (one trace and its :class:`.records.TraceRecord`),
:mod:`.write_back`, :mod:`.backward_node` (``CompiledFunctionBackward``), :mod:`.deferred`
(host effects after the program), :mod:`.state` (thread state, lock, errors).
"""

from .api import compile, register_wrapper
from .deferred import check_not_deferred, defer_in_trace
from .state import CompileError

__all__ = ["compile", "CompileError", "defer_in_trace", "check_not_deferred", "register_wrapper"]
