"""An order service written with promise chains, the way a lot of Node code still is.

  bridge translate examples/chains.js              -> the same module with async/await
  bridge translate examples/chains.js --to python  -> the same module as Python asyncio
  python -c "import bridge; bridge.run(open('examples/chains.js').read())"  -> run it as is

The "network" is simulated with timers so the file runs anywhere.

Translated from chains.js by ``bridge translate --to python``.
"""

import asyncio
import decimal
import math
import re


def _js_number(value):
    """A number as JS prints it: 3 not 3.0, NaN, Infinity, 1e+21."""
    if isinstance(value, int):
        return str(value)
    if value != value:
        return "NaN"
    if value in (math.inf, -math.inf):
        return "Infinity" if value > 0 else "-Infinity"
    if value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    text = repr(value)
    if "e" in text:
        mantissa, exponent = text.split("e")
        if 1e-7 <= abs(value) < 1e21:
            return format(decimal.Decimal(text), "f")
        return f"{mantissa}e{'+' if int(exponent) > 0 else '-'}{abs(int(exponent))}"
    return text


def _js_str(value):
    """String(value) as JS computes it (template strings, join)."""
    if isinstance(value, str):
        return value
    if value is None:
        return "undefined"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return _js_number(value)
    if isinstance(value, list):
        return ",".join("" if item is None else _js_str(item) for item in value)
    if isinstance(value, dict):
        return "[object Object]"
    if isinstance(value, BaseException):
        return f"Error: {value}" if str(value) else "Error"
    return str(value)


def _js_add(left, right):
    """JS +: text when either side is a string (or an array or object), else a sum."""
    if isinstance(left, (str, list, dict)) or isinstance(right, (str, list, dict)):
        return _js_str(left) + _js_str(right)
    if left is None or right is None:
        return math.nan
    return left + right


def _js_inspect(value, depth=0, indent=0, own_line=False):
    """value as the engine's console.log shows it (util.inspect: depth 2, break at 60)."""
    if isinstance(value, str):
        escaped = value.translate(_JS_ESCAPES)
        return f"'{escaped}'"
    if isinstance(value, (list, dict)):
        if not value:
            return "[]" if isinstance(value, list) else "{}"
        if depth > 2:
            return "[Array]" if isinstance(value, list) else "[Object]"
        if isinstance(value, list):
            entries = [_js_inspect(item, depth + 1, indent + 2) for item in value]
            opening, closing = "[", "]"
        else:
            entries = [
                f"{_js_key(key)}: {_js_inspect(item, depth + 1, indent + 3, own_line=True)}"
                for key, item in value.items()
            ]
            opening, closing = "{", "}"
        if len(entries) * 2 <= 60 and sum(len(entry) + 1 for entry in entries) <= 60:
            return f"{opening} {', '.join(entries)} {closing}"
        # Too long for one line: one entry a line; an object's value starts on its own line.
        separator = ",\n" + " " * (indent + 2)
        start = "\n" + " " * indent if own_line else ""
        return f"{start}{opening} {separator.join(entries)} {closing}"
    if isinstance(value, BaseException):
        return f"Error: {value}" if str(value) else "Error"
    return _js_str(value)


def _js_key(key):
    """An object key as util.inspect writes it: bare when it is an identifier."""
    key = _js_str(key)
    if re.fullmatch(r"[a-zA-Z_][a-zA-Z_0-9]*", key):
        return key
    return _js_inspect(key)


_JS_ESCAPES = {
    **{code: f"\\u{code:04x}" for code in range(32)},
    8: "\\b",
    9: "\\t",
    10: "\\n",
    12: "\\f",
    13: "\\r",
    39: "\\'",
    92: "\\\\",
}


def _log(*args, file=None):
    """console.log: a leading string as is, then strings as is and other values inspected."""
    if args and isinstance(args[0], str):
        parts = [arg if isinstance(arg, str) else _js_inspect(arg) for arg in args]
    else:
        parts = [_js_inspect(arg) for arg in args]
    print(*parts, file=file)


async def delay(ms):
    await asyncio.sleep(ms / 1000)


USERS = {1: {"id": 1, "name": "Ada", "tier": "gold"}, 2: {"id": 2, "name": "Lin", "tier": "basic"}}
STOCK = {"apple": 5, "pear": 0, "plum": 12}


async def fetchUser(id):
    await delay(5)
    user = USERS.get(id)
    if not user:
        raise Exception(f"no user {_js_str(id)}")
    return user


async def fetchStock(item):
    await delay(3)
    return STOCK.get(item) if STOCK.get(item) is not None else 0


async def chargeCard(user, total):
    await delay(4)
    if total > 100:
        raise Exception(f"card declined for {_js_str(user['name'])}")
    return f"receipt-{_js_str(user['id'])}-{_js_str(total)}"


# then chain with a destructured parameter and an early return
async def describeUser(id):
    value = await fetchUser(id)
    name = value["name"]
    tier = value["tier"]

    def step(name, tier):
        if tier == "gold":
            return f"{_js_str(name)} (priority)"
        return name

    label = step(name, tier)
    return f"user: {_js_str(label)}"


# Promise.all with destructuring, then a computation
async def availability(items):
    counts = await asyncio.gather(*[fetchStock(item) for item in items])
    available = [item for i, item in enumerate(items) if counts[i] > 0]
    return f"{len(available)}/{len(items)} in stock: {', '.join(map(_js_str, available))}"


# catch that recovers, and finally that logs without changing the outcome
async def safeDescribe(id):
    try:
        return await describeUser(id)
    except Exception as err:
        return f"unknown ({err})"
    finally:
        print(f"looked up user {_js_str(id)}")


# then(onFulfilled, onRejected): the rejection handler never sees the first handler's errors
async def checkout(id, total):
    try:
        user = await fetchUser(id)
        receipt = await chargeCard(user, total)
    except Exception as err:
        return f"not paid: {err}"
    else:
        return f"paid: {_js_str(receipt)}"


# a nested chain returned from a handler: flattened into one sequence of awaits
async def restock(item, amount):
    count = await fetchStock(item)
    await delay(2)
    STOCK[item] = _js_add(count, amount)
    return f"{_js_str(item)}: {_js_str(count)} -> {_js_str(STOCK.get(item))}"


# a chain in a function that is already async
async def report():
    lines = []
    for id in [1, 2, 3]:
        lines.append(await safeDescribe(id))
    try:
        stock = await availability(["apple", "pear", "plum"])
    except Exception:
        stock = "stock unknown"
    lines.append(stock)
    return lines


async def main():
    lines = await report()
    for line in lines:
        _log(line)
    _log(await checkout(1, 40))
    _log(await checkout(2, 400))
    _log(await restock("pear", 3))
    return "done"


if __name__ == "__main__":
    asyncio.run(main())
