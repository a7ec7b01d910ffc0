"""The translator's rules: one module per shape, registered by the ``rule`` decorator.

The kinds of rule, run by ``bridge.translate._lower``:

* ``check``   looks at a whole chain before anything is lowered and raises ``Unsafe`` (rule
              name + reason) when a shape must be left alone (``this``/``arguments``, method
              references, three-argument ``then``, generators...).
* ``prepare`` returns statements that go before a chain's own (``method-reference`` reads
              handlers that may not be functions when the chain is built).
* ``context`` decides where the rewritten statements go for one ``Context`` (returned,
              awaited, statement, stored...): a ``Placement``, or ``Unsafe``.
* ``step``    lowers one step form (``then``, ``then-reject``, ``catch``, ``finally``) into IR.
* ``body``    inlines a handler's block body, by form: ``no-return``, ``tail-return``,
              ``early-return``.
* ``result``  may take over a handler's returned expression (``nested-chain`` flattens a
              returned chain); otherwise it is awaited where the next step needs it.

Adding a rewrite means adding a module here (and its import below), not editing a dispatcher.
One module per rule name, the file named after the rule (``-`` as ``_``; ``finally_`` for the
keyword); helpers several rules share are in ``_common``. Each rule module starts with a
``# Matches:`` comment naming the shapes it handles.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

RuleKind = Literal["check", "prepare", "context", "step", "body", "result"]
F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Rule:
    name: str
    kind: RuleKind
    key: str  # step form or context name; the rule name for checks
    fn: Callable[..., Any]


REGISTRY: dict[tuple[RuleKind, str], Rule] = {}


def rule(name: str, kind: RuleKind, key: str | None = None) -> Callable[[F], F]:
    """Register fn as rule ``name`` of ``kind``, dispatched on ``key`` (defaults to name)."""

    def deco(fn: F) -> F:
        k = key or name
        if (kind, k) in REGISTRY:
            raise RuntimeError(f"two {kind} rules for {k!r}")
        REGISTRY[(kind, k)] = Rule(name, kind, k, fn)
        return fn

    return deco


def rules_of(kind: RuleKind) -> list[Rule]:
    """The rules of one kind, in registration (import) order: checks run in _load's order."""
    cached = _BY_KIND.get(kind)
    if cached is None:
        _load()
        cached = _BY_KIND[kind] = [r for (k, _), r in REGISTRY.items() if k == kind]
    return cached


_BY_KIND: dict[str, list[Rule]] = {}


def get(kind: RuleKind, key: str) -> Rule | None:
    _load()
    return REGISTRY.get((kind, key))


_loaded = False


def _load() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    # Imported for their @rule registrations; checks run in this order.
    from . import three_arg_then, generator, this_arguments, method_reference  # noqa: F401, I001
    from . import handler_params, promise_library  # noqa: F401
    from . import arrow_body, awaited, chain_as_value, eager_start, returned  # noqa: F401
    from . import statement  # noqa: F401
    from . import catch, finally_, then, then_reject  # noqa: F401
    from . import early_return, nested_chain, no_return, tail_return  # noqa: F401
