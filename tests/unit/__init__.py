"""Core behaviour: tensor, autograd engine and modes, dtypes, formatting, compile, func, data."""
