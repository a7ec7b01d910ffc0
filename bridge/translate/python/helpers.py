"""The small runtime helpers the Python target writes into a translated module.

Who uses this: the Python target (``emitter``) asks for a helper by name while it translates;
at the end it writes the helpers that were asked for (and the helpers those need) after the
imports, so a translated module is self-contained and carries only what it uses.

Why helpers at all: a few JS behaviours have no one-line Python spelling that is also right
for every value (``await`` of something that may or may not be awaitable, ``Promise.race``
without cancelling the losers, ``console.log``'s formatting). Each helper is short, private
(leading underscore) and says what JS behaviour it keeps.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["HELPERS", "Helper", "ordered"]


@dataclass(frozen=True)
class Helper:
    """One helper: its source, the modules it imports, the helpers it calls."""

    source: str
    imports: tuple[str, ...] = ()
    needs: tuple[str, ...] = ()


HELPERS: dict[str, Helper] = {
    "_settle": Helper(
        '''\
async def _settle(value):
    """Await value if it is awaitable: a JS handler may return a plain value or a promise."""
    if inspect.isawaitable(value):
        return await value
    return value
''',
        imports=("inspect",),
    ),
    "_js_number": Helper(
        '''\
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
''',
        imports=("decimal", "math"),
    ),
    "_js_str": Helper(
        '''\
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
''',
        needs=("_js_number",),
    ),
    "_js_typeof": Helper(
        '''\
def _js_typeof(value):
    """typeof value, for the values a translated module holds (None is undefined)."""
    if value is None:
        return "undefined"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    return "function" if callable(value) else "object"
'''
    ),
    "_js_add": Helper(
        '''\
def _js_add(left, right):
    """JS +: text when either side is a string (or an array or object), else a sum."""
    if isinstance(left, (str, list, dict)) or isinstance(right, (str, list, dict)):
        return _js_str(left) + _js_str(right)
    if left is None or right is None:
        return math.nan
    return left + right
''',
        imports=("math",),
        needs=("_js_str",),
    ),
    "_js_inspect": Helper(
        '''\
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
        separator = ",\\n" + " " * (indent + 2)
        start = "\\n" + " " * indent if own_line else ""
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
    **{code: f"\\\\u{code:04x}" for code in range(32)},
    8: "\\\\b",
    9: "\\\\t",
    10: "\\\\n",
    12: "\\\\f",
    13: "\\\\r",
    39: "\\\\'",
    92: "\\\\\\\\",
}
''',
        imports=("re",),
        needs=("_js_str",),
    ),
    "_log": Helper(
        '''\
def _log(*args, file=None):
    """console.log: a leading string as is, then strings as is and other values inspected."""
    if args and isinstance(args[0], str):
        parts = [arg if isinstance(arg, str) else _js_inspect(arg) for arg in args]
    else:
        parts = [_js_inspect(arg) for arg in args]
    print(*parts, file=file)
''',
        needs=("_js_inspect",),
    ),
    "_all_settled": Helper(
        '''\
async def _all_settled(*awaitables):
    """Promise.allSettled: every outcome as {"status", "value"} or {"status", "reason"}."""
    outcomes = await asyncio.gather(*awaitables, return_exceptions=True)
    return [
        {"status": "rejected", "reason": outcome}
        if isinstance(outcome, Exception)
        else {"status": "fulfilled", "value": outcome}
        for outcome in outcomes
    ]
''',
        imports=("asyncio",),
    ),
    "_running": Helper(
        """\
# Tasks started for JS-style work nobody awaits: asyncio keeps only weak references to tasks.
_running = set()
"""
    ),
    "_started": Helper(
        '''\
def _started(awaitables):
    """Start every awaitable as a task, in order, kept alive until it ends (losers are not
    cancelled, as in JS)."""
    tasks = [asyncio.ensure_future(awaitable) for awaitable in awaitables]
    for task in tasks:
        _running.add(task)
        task.add_done_callback(_running.discard)
        # A loser's later failure is nobody's business, as in JS: mark it retrieved.
        task.add_done_callback(lambda task: task.cancelled() or task.exception())
    return tasks
''',
        imports=("asyncio",),
        needs=("_running",),
    ),
    "_spawn": Helper(
        '''\
def _spawn(awaitable):
    """Start awaitable as a task nobody awaits (a JS chain left running); keep it alive."""
    task = asyncio.ensure_future(awaitable)
    _running.add(task)
    task.add_done_callback(_running.discard)
    return task
''',
        imports=("asyncio",),
        needs=("_running",),
    ),
    "_race": Helper(
        '''\
async def _race(*awaitables):
    """Promise.race: the outcome of the first awaitable to settle; the others keep running."""
    tasks = _started(awaitables)
    done, _ = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    return next(task for task in tasks if task in done).result()
''',
        imports=("asyncio",),
        needs=("_started",),
    ),
    "_any": Helper(
        '''\
class AggregateError(Exception):
    """Promise.any found no fulfilled input; errors holds every reason, in input order."""

    def __init__(self, errors, message="All promises were rejected"):
        super().__init__(message)
        self.errors = errors


async def _any(*awaitables):
    """Promise.any: the value of the first awaitable to fulfil; the others keep running."""
    pending = set(_started(awaitables))
    tasks = list(pending)
    while pending:
        done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
        for task in sorted(done, key=tasks.index):
            if task.exception() is None:
                return task.result()
    raise AggregateError([task.exception() for task in tasks])
''',
        imports=("asyncio",),
        needs=("_started",),
    ),
    "_promise": Helper(
        '''\
def _promise(executor):
    """new Promise(executor): a future that executor settles through resolve and reject."""
    future = asyncio.get_running_loop().create_future()
    called = []  # JS ignores every resolve or reject after the first

    def resolve(value=None):
        if called:
            return
        called.append(True)
        if inspect.isawaitable(value):
            adopted = asyncio.ensure_future(value)
            adopted.add_done_callback(lambda task: _copy(task, future))
        elif not future.done():
            future.set_result(value)

    def reject(reason=None):
        if called:
            return
        called.append(True)
        if not future.done():
            error = reason if isinstance(reason, BaseException) else Exception(reason)
            future.set_exception(error)

    try:
        executor(resolve, reject)
    except Exception as error:
        reject(error)
    return future


def _copy(source, future):
    """Settle future the way source settled, unless it was settled already."""
    if future.done():
        return
    if source.cancelled():
        future.cancel()
    elif source.exception() is not None:
        future.set_exception(source.exception())
    else:
        future.set_result(source.result())
''',
        imports=("asyncio", "inspect"),
    ),
}


def ordered(names: set[str]) -> list[str]:
    """The helpers in names plus the ones they need, each once, dependencies first."""
    result: list[str] = []

    def visit(name: str) -> None:
        if name in result:
            return
        for need in HELPERS[name].needs:
            visit(need)
        result.append(name)

    for name in sorted(names):
        visit(name)
    return result
