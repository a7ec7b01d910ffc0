"""Async iteration across the boundary, both directions, against the real engine.

JS -> Python: ``async for`` over JS async iterables, async generators and sync iterables.
Python -> JS: a Python async generator is a JS async iterable; next/return/throw are
asend/aclose/athrow; ``break`` in ``for await`` runs the generator's ``finally``; nothing is
produced ahead of what is consumed.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest

import bridge

# Every test is bounded as a whole too: a hang fails it instead of stalling the run.
pytestmark = pytest.mark.timeout(60)

# --- JS -> Python -------------------------------------------------------------------------


async def collect(obj: Any, limit: int = 100) -> list[Any]:
    out = []
    async for item in bridge.iterate(obj):
        out.append(item)
        assert len(out) <= limit, "iteration did not stop"
    return out


async def test_async_for_over_js_async_generator() -> None:
    gen = bridge.eval("(async function* () { yield 1; yield 'two'; yield true; })()")
    assert await asyncio.wait_for(collect(gen), 2) == [1, "two", True]


async def test_async_for_over_object_with_symbol_async_iterator() -> None:
    counter = bridge.eval(
        """
        ({
          [Symbol.asyncIterator]() {
            let i = 0;
            const next = () => Promise.resolve(i < 3 ? {value: i++, done: false} : {done: true});
            return { next };
          },
        })
        """
    )
    assert await asyncio.wait_for(collect(counter), 2) == [0, 1, 2]


async def test_async_for_over_sync_iterable_awaits_its_values() -> None:
    values = bridge.eval(
        "[Promise.resolve('a'), 'b', new Promise((r) => setTimeout(() => r('c'), 5))]"
    )
    assert await asyncio.wait_for(collect(values), 2) == ["a", "b", "c"]


async def test_js_backpressure_nothing_produced_ahead() -> None:
    source = bridge.eval(
        """
        ({
          produced: 0,
          async *stream() { for (let i = 0; i < 5; i++) { this.produced++; yield i; } },
        })
        """
    )
    seen = []
    async for item in bridge.iterate(source.stream()):
        seen.append((item, source.produced))
        await asyncio.sleep(0.001)  # a slow consumer
    assert seen == [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5)]


async def test_aclose_runs_the_js_generators_finally() -> None:
    state = bridge.eval(
        """
        ({
          log: [],
          async *gen() { try { yield 1; yield 2; yield 3; } finally { this.log.push('finally'); } },
        })
        """
    )
    async with bridge.iterate(state.gen()) as items:
        async for item in items:
            if item == 2:
                break
    assert [str(x) for x in state.log] == ["finally"]
    # Closed: a later step ends at once.
    assert [x async for x in items] == []


async def _until(check: Any, timeout: float = 2.0) -> None:
    """Let the loop (and the engine's jobs) run until ``check()`` holds, at most ``timeout``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        assert loop.time() < deadline, "condition not reached in time"
        await asyncio.sleep(0.001)


async def test_async_for_directly_over_a_js_async_generator_and_break_closes_it() -> None:
    state = bridge.eval(
        """
        ({
          log: [],
          async *gen() { try { yield 1; yield 2; yield 3; } finally { this.log.push('finally'); } },
        })
        """
    )
    assert [x async for x in state.gen()] == [1, 2, 3]
    assert [str(x) for x in state.log] == ["finally"]
    got = []
    async for item in state.gen():
        got.append(item)
        if item == 2:
            break
    assert got == [1, 2]
    # Dropped before its end: closed from the loop, as asyncio closes a Python async generator.
    await _until(lambda: len(state.log) == 2)
    assert [str(x) for x in state.log] == ["finally", "finally"]


async def test_async_for_directly_over_an_object_with_symbol_async_iterator() -> None:
    source = bridge.eval(
        """
        ({
          log: [],
          [Symbol.asyncIterator]() {
            let i = 0;
            const log = this.log;
            return {
              next: async () => (i < 3 ? { value: i++, done: false } : { done: true }),
              return: async () => { log.push('return'); return { done: true }; },
            };
          },
        })
        """
    )
    assert [x async for x in source] == [0, 1, 2]
    assert list(source.log) == []  # ran to its end: return() is not called
    async for item in source:
        assert item == 0
        break
    await _until(lambda: len(source.log) == 1)
    assert [str(x) for x in source.log] == ["return"]


async def test_an_async_iterable_js_object_goes_back_to_js_as_itself() -> None:
    gen = bridge.eval("(async function* () { yield 1; })()")
    same = bridge.eval("(a, b) => a === b")
    assert same(gen, gen.js_value) is True
    assert same({"g": gen}["g"], gen.js_value) is True
    # to_js sees a JS object, not a Python async iterable to hand JS as a PythonAsyncIterator.
    assert isinstance(bridge.to_js(gen), asyncio.Future)


async def test_async_for_over_a_js_object_that_is_not_iterable() -> None:
    with pytest.raises(
        bridge.JSTypeError, match=r"^TypeError: Object object is not async iterable$"
    ):
        async for _ in bridge.eval("({ a: 1 })"):
            pass


async def test_a_throwing_js_iterator_raises_the_mapped_error_once() -> None:
    gen = bridge.eval("(async function* () { yield 1; throw new RangeError('bad step'); })()")
    items = bridge.iterate(gen)
    assert await asyncio.wait_for(items.__anext__(), 2) == 1
    with pytest.raises(bridge.JSRangeError, match="bad step"):
        await asyncio.wait_for(items.__anext__(), 2)
    with pytest.raises(StopAsyncIteration):
        await asyncio.wait_for(items.__anext__(), 2)


async def test_next_that_throws_synchronously() -> None:
    broken = bridge.eval(
        "({ [Symbol.asyncIterator]() {"
        "  return { next() { throw new TypeError('no next for you'); } };"
        "} })"
    )
    with pytest.raises(bridge.JSTypeError, match="no next for you"):
        await asyncio.wait_for(collect(broken), 2)


async def test_non_object_step_result_is_a_type_error() -> None:
    broken = bridge.eval("({ [Symbol.asyncIterator]() { return { next: async () => 5 }; } })")
    with pytest.raises(bridge.JSTypeError, match="Iterator result 5 is not an object"):
        await asyncio.wait_for(collect(broken), 2)


@pytest.mark.parametrize(
    ("source", "message"),
    [("({})", "Object object is not async iterable"), ("42", "number 42 is not async iterable")],
)
def test_not_iterable_is_a_type_error(source: str, message: str) -> None:
    with pytest.raises(bridge.JSTypeError, match=message):
        bridge.iterate(bridge.eval(source))


async def _python_agen() -> AsyncIterator[int]:
    yield 1


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            _python_agen,
            r"^bridge\.iterate\(\) walks JS iterables; this async_generator is a Python async "
            r"iterable already: use 'async for' on it directly$",
        ),
        (object, r"^bridge\.iterate\(\): 'object' object is not iterable$"),
        (lambda: {"a": 1}, r"^bridge\.iterate\(\): 'dict' object is not iterable$"),
    ],
)
async def test_python_objects_given_to_iterate_get_a_python_error(make: Any, message: str) -> None:
    # Not "Object object is not async iterable" from deep inside the engine.
    obj = make()
    with pytest.raises(TypeError, match=message):
        bridge.iterate(obj)
    if hasattr(obj, "aclose"):
        await obj.aclose()


async def test_python_sequences_are_walked_as_js_arrays() -> None:
    assert await collect([1, "two"]) == [1, "two"]
    assert await collect("ab") == ["a", "b"]


async def test_cancelling_a_step_cancels_the_task_and_aborts_its_signal() -> None:
    state = bridge.eval(
        """
        ({
          log: [],
          stream(signal) {
            const log = this.log;
            return (async function* () {
              yield 'first';
              await new Promise((resolve, reject) => {
                signal.addEventListener('abort', () => {
                  log.push('aborted:' + signal.reason.name);
                  reject(signal.reason);
                });
              });
            })();
          },
        })
        """
    )
    got: list[Any] = []

    async def consume() -> None:
        async for item in bridge.iterate(state.stream(bridge.signal())):
            got.append(item)

    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(consume(), 0.05)
    assert got == ["first"]
    assert [str(x) for x in state.log] == ["aborted:TimeoutError"]


async def test_a_step_given_up_loses_no_item() -> None:
    # A timeout on one step (a heartbeat, say) and the loop goes on: the item the JS iterator
    # was producing is the next one Python gets, as asyncio.Queue.get() loses nothing either.
    slow = bridge.eval(
        """
        (async function* () {
          yield await new Promise((resolve) => setTimeout(() => resolve('a'), 50));
          yield 'b';
        })()
        """
    )
    items = bridge.iterate(slow)
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(items.__anext__(), 0.005)
    assert await asyncio.wait_for(items.__anext__(), 2) == "a"
    assert await asyncio.wait_for(items.__anext__(), 2) == "b"
    with pytest.raises(StopAsyncIteration):
        await asyncio.wait_for(items.__anext__(), 2)


# --- Python -> JS -------------------------------------------------------------------------


class Producer:
    """An async generator that records what it did, for JS to consume."""

    def __init__(self, count: int = 5) -> None:
        self.count = count
        self.produced = 0
        self.log: list[str] = []

    async def items(self) -> AsyncIterator[int]:
        try:
            for i in range(self.count):
                self.produced += 1
                self.log.append(f"yield {i}")
                yield i
            self.log.append("exhausted")
        finally:
            self.log.append("finally")


COLLECT = """
async (it) => { const out = []; for await (const x of it) out.push(x); return JSON.stringify(out); }
"""


async def js_run(source: str, *args: Any) -> Any:
    """Run `source` (a JS function expression) with args; JSON-decode what it resolves to."""
    fn = bridge.eval(source)
    return json.loads(str(await asyncio.wait_for(fn(*args), 5)))


async def test_for_await_over_python_async_generator() -> None:
    producer = Producer(3)
    got = await js_run(
        COLLECT,
        bridge.to_js(producer.items()),
    )
    assert got == [0, 1, 2]
    assert producer.log == ["yield 0", "yield 1", "yield 2", "exhausted", "finally"]


async def test_break_in_for_await_runs_the_generators_finally() -> None:
    producer = Producer(100)
    got = await js_run(
        """
        async (it, log) => {
          const out = [];
          for await (const x of it) { out.push(x); if (x === 1) break; }
          out.push('after loop: ' + log());
          return JSON.stringify(out);
        }
        """,
        bridge.to_js(producer.items()),
        lambda: ",".join(producer.log),
    )
    # The finally ran before the loop was left: for-await awaits return().
    assert got == [0, 1, "after loop: yield 0,yield 1,finally"]
    assert producer.produced == 2


async def test_throw_in_for_await_body_closes_the_generator() -> None:
    producer = Producer(100)
    got = await js_run(
        """
        async (it) => {
          try { for await (const x of it) { if (x === 2) throw new Error('consumer failed'); } }
          catch (e) { return JSON.stringify(e.message); }
        }
        """,
        bridge.to_js(producer.items()),
    )
    assert got == "consumer failed"
    assert producer.log[-1] == "finally"
    assert producer.produced == 3


async def test_backpressure_nothing_produced_ahead_of_consumption() -> None:
    producer = Producer(5)
    got = await js_run(
        """
        async (it, produced) => {
          const seen = [];
          for await (const x of it) {
            seen.push([x, produced()]);
            await new Promise((r) => setTimeout(r, 2));  // a slow consumer
            seen.push(['after wait', produced()]);
          }
          return JSON.stringify(seen);
        }
        """,
        bridge.to_js(producer.items()),
        lambda: producer.produced,
    )
    expected: list[Any] = []
    for i in range(5):
        expected += [[i, i + 1], ["after wait", i + 1]]
    assert got == expected


async def test_next_return_throw_map_to_asend_aclose_athrow() -> None:
    log: list[str] = []

    async def echo() -> AsyncIterator[str]:
        received = None
        try:
            while True:
                try:
                    received = yield f"got {received}"
                except bridge.JSError as exc:
                    log.append(f"thrown {exc.message}")
                    received = "after throw"
        finally:
            log.append("closed")

    got = await js_run(
        """
        async (it) => {
          const steps = [];
          steps.push(await it.next('ignored: the first next() starts the generator'));
          steps.push(await it.next('hello'));
          steps.push(await it.throw(new Error('oops')));
          steps.push(await it.next('again'));
          steps.push(await it.return('bye'));
          steps.push(await it.next('nothing'));
          return JSON.stringify(steps);
        }
        """,
        bridge.to_js(echo()),
    )
    assert got == [
        {"value": "got None", "done": False},
        {"value": "got hello", "done": False},
        {"value": "got after throw", "done": False},
        {"value": "got again", "done": False},
        {"value": "bye", "done": True},
        {"done": True},
    ]
    assert log == ["thrown oops", "closed"]


async def test_requests_made_without_waiting_run_in_order() -> None:
    producer = Producer(3)
    got = await js_run(
        """
        async (it) => {
          const steps = await Promise.all([it.next(), it.next(), it.next(), it.next()]);
          return JSON.stringify(steps.map((s) => [s.value, s.done]));
        }
        """,
        bridge.to_js(producer.items()),
    )
    assert got == [[0, False], [1, False], [2, False], [None, True]]


async def test_a_raising_generator_rejects_with_python_error() -> None:
    async def failing() -> AsyncIterator[int]:
        yield 1
        raise ValueError("generator broke")

    got = await js_run(
        """
        async (it) => {
          const out = [];
          try { for await (const x of it) out.push(x); }
          catch (e) { out.push([e instanceof PythonError, e.name, e.message]); }
          out.push(await it.next());
          return JSON.stringify(out);
        }
        """,
        bridge.to_js(failing()),
    )
    assert got == [1, [True, "ValueError", "generator broke"], {"done": True}]


async def test_exposed_async_generator_function_is_iterable_from_js() -> None:
    async def countdown(n: float) -> AsyncIterator[float]:
        while n > 0:
            yield n
            n -= 1

    bridge.expose("countdown", countdown)
    got = await asyncio.wait_for(
        bridge.eval(
            "(async () => { const out = [];"
            " for await (const x of countdown(3)) out.push(x); return out.join(','); })()"
        ),
        5,
    )
    assert got == "3,2,1"


async def test_to_js_of_an_async_iterable_object() -> None:
    class Countdown:
        """Not a generator: __aiter__/__anext__ only (no asend/aclose/athrow)."""

        def __init__(self) -> None:
            self.n = 3

        def __aiter__(self) -> Countdown:
            return self

        async def __anext__(self) -> int:
            if self.n == 0:
                raise StopAsyncIteration
            self.n -= 1
            return self.n

    got = await js_run(
        COLLECT,
        bridge.to_js(Countdown()),
    )
    assert got == [2, 1, 0]


async def test_async_generator_passed_as_an_argument_is_iterable() -> None:
    producer = Producer(2)
    consume = bridge.eval(COLLECT)
    got = await asyncio.wait_for(consume(producer.items()), 5)
    assert json.loads(str(got)) == [0, 1]
