"""One BLAS thread for the engine's products, without scanning the process every time.

The products of the EM are small (d columns, K * S components): one BLAS thread is faster than
several, and it avoids oversubscription when fits run in parallel. ``threadpool_limits()`` looks
up the process's shared libraries on every call (about 3 ms, 4% of a 272-row grid of 24 cells,
measured with cProfile), so the controller is made once per process, at the first fit, and its
``limit`` is used after that. The engine's products run on numpy's BLAS, which is loaded with
numpy, before the first fit.
"""

from __future__ import annotations

from functools import lru_cache

from threadpoolctl import ThreadpoolController


@lru_cache(maxsize=1)
def _controller():
    return ThreadpoolController()


def one_blas_thread():
    """Context manager: BLAS libraries limited to one thread inside, restored after."""
    return _controller().limit(limits=1, user_api="blas")
