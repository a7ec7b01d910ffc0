"""One small pipeline written twice: as a bridge.Promise chain and with async/await.

Look up an order, price it, apply a discount code; a bad code falls back to the full price, an
unknown order is reported; a "done" line is printed either way. Both versions print the same
lines, which the script checks at the end.
"""

from __future__ import annotations

import asyncio
from typing import Any

from bridge import Promise

ORDERS = {"A-1": {"items": [12.5, 7.5]}, "B-2": {"items": [30.0]}}
CODES = {"TENOFF": 0.10}


async def fetch_order(order_id: str) -> dict[str, Any]:
    """Pretend I/O: an order by id, after a short wait."""
    await asyncio.sleep(0.001)
    if order_id not in ORDERS:
        raise KeyError(order_id)
    return ORDERS[order_id]


def discount(code: str) -> Promise[float]:
    """A Promise-returning lookup (JS style): rejects for an unknown code."""
    if code in CODES:
        return Promise.resolve(CODES[code])
    return Promise.reject(ValueError(f"unknown code {code}"))


def with_promises(order_id: str, code: str, out: list[str]) -> Promise[Any]:
    return (
        Promise.resolve(fetch_order(order_id))
        .then(lambda order: sum(order["items"]))
        .then(
            lambda total: (
                discount(code)
                .then(lambda rate: round(total * (1 - rate), 2))
                .catch(lambda error: total)
            )  # a bad code: full price
        )
        .then(lambda price: out.append(f"{order_id}: pay {price}"))
        .catch(lambda error: out.append(f"{order_id}: failed with {error!r}"))
        .finally_(lambda: out.append(f"{order_id}: done"))
    )


async def with_await(order_id: str, code: str, out: list[str]) -> None:
    try:
        order = await fetch_order(order_id)
        total = sum(order["items"])
        try:
            rate = await discount(code)
            price = round(total * (1 - rate), 2)
        except ValueError:
            price = total
        out.append(f"{order_id}: pay {price}")
    except Exception as error:
        out.append(f"{order_id}: failed with {error!r}")
    finally:
        out.append(f"{order_id}: done")


CASES = [("A-1", "TENOFF"), ("B-2", "NOPE"), ("C-3", "TENOFF")]


async def main() -> None:
    chained: list[str] = []
    awaited: list[str] = []
    for order_id, code in CASES:
        await with_promises(order_id, code, chained)
        await with_await(order_id, code, awaited)
    print("then/catch/finally_:")
    for line in chained:
        print("  " + line)
    print("async/await:")
    for line in awaited:
        print("  " + line)
    print("identical:", chained == awaited)
    if chained != awaited:
        raise SystemExit(1)


if __name__ == "__main__":
    asyncio.run(main())
