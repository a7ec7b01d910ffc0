"""The Node.js runtime: a child process spoken to over a socketpair (see ``_runtime``)."""

from ._runtime import NodeRuntime as NodeRuntime
from ._runtime import node as node

__all__ = ["NodeRuntime", "node"]
