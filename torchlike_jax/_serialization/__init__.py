"""The pieces behind ``torch.save`` / ``torch.load`` (public face: ``torchlike_jax.serialization``).

``_format``: storage type names and constants of torch's file formats; ``_zip``: the zip
container (read, write, memory-map); ``_legacy``: the pre-1.6 stream format; ``_rebuild``:
storages and tensors coming out of a file; ``_unpickle``: the weights-only and full
unpicklers; ``_pickle``: the writer that names torch's globals without importing torch.
"""
