"""js/abort.js: AbortController and AbortSignal in the engine behave as in Node and browsers.

Each test runs its scenario in JS and returns a small record, so what is asserted is the JS-side
behaviour itself (the Python-side conversions are tested elsewhere).
"""

from __future__ import annotations

import asyncio
import json

import pytest

import bridge

# Every test is bounded as a whole too: a hang fails it instead of stalling the run.
pytestmark = pytest.mark.timeout(60)


def js(code: str) -> object:
    """Evaluate a JS function body that returns something JSON-able; give back the Python value."""
    return json.loads(str(bridge.eval(f"JSON.stringify((() => {{ {code} }})())")))


def test_installed_with_dom_exception() -> None:
    assert js(
        "return [typeof AbortController, typeof AbortSignal, typeof DOMException,"
        " Object.prototype.toString.call(new AbortController().signal),"
        " Object.prototype.toString.call(new AbortController()),"
        " new AbortController().signal instanceof EventTarget]"
    ) == [
        "function",
        "function",
        "function",
        "[object AbortSignal]",
        "[object AbortController]",
        True,
    ]


def test_default_reason_is_abort_error_dom_exception() -> None:
    got = js(
        """
        const c = new AbortController();
        const before = [c.signal.aborted, c.signal.reason === undefined];
        c.abort();
        const r = c.signal.reason;
        return [before, c.signal.aborted, r instanceof DOMException, r instanceof Error,
                r.name, r.code, r.message];
        """
    )
    assert got == [[False, True], True, True, True, "AbortError", 20, "This operation was aborted"]


def test_reason_is_kept_and_second_abort_is_ignored() -> None:
    got = js(
        """
        const c = new AbortController();
        let calls = 0;
        c.signal.addEventListener('abort', () => calls++);
        const reason = {why: 'first'};
        c.abort(reason);
        c.abort('second');
        return [c.signal.reason === reason, calls];
        """
    )
    assert got == [True, 1]


def test_null_reason_is_a_reason() -> None:
    # Only `undefined` means "no reason"; null is kept as given (as in Node).
    assert js("const c = new AbortController(); c.abort(null); return c.signal.reason;") is None
    assert (
        js("const c = new AbortController(); c.abort(undefined); return c.signal.reason.name;")
        == "AbortError"
    )


def test_listeners_run_synchronously_once_in_order() -> None:
    got = js(
        """
        const out = [];
        const c = new AbortController();
        const s = c.signal;
        s.addEventListener('abort', (e) => out.push('first:' + e.type + ':' + (e.target === s)));
        s.onabort = () => out.push('onabort');
        s.addEventListener('abort', { handleEvent(e) { out.push('object:' + (this !== s)); } });
        const once = function () { out.push('this:' + (this === s)); };
        s.addEventListener('abort', once, {once: true});
        out.push('before');
        c.abort();
        out.push('after');
        c.abort();
        return out;
        """
    )
    assert got == ["before", "first:abort:true", "onabort", "object:true", "this:true", "after"]


def test_onabort_keeps_its_first_position_and_can_be_cleared() -> None:
    got = js(
        """
        const out = [];
        const c = new AbortController();
        const s = c.signal;
        s.onabort = () => out.push('old');
        s.addEventListener('abort', () => out.push('listener'));
        s.onabort = () => out.push('new');
        const c2 = new AbortController();
        c2.signal.onabort = () => out.push('cleared');
        c2.signal.onabort = null;
        c.abort(); c2.abort();
        return [out, c2.signal.onabort];
        """
    )
    assert got == [["new", "listener"], None]


def test_duplicates_removal_and_once() -> None:
    got = js(
        """
        const out = [];
        const c = new AbortController();
        const s = c.signal;
        const f = () => out.push('f');
        const h = () => out.push('h');
        s.addEventListener('abort', () => s.removeEventListener('abort', h));
        s.addEventListener('abort', f);
        s.addEventListener('abort', f);            // same (type, listener, capture): ignored
        s.addEventListener('abort', f, true);      // different capture: a second entry
        const g = () => out.push('g');
        s.addEventListener('abort', g);
        s.removeEventListener('abort', g);
        s.addEventListener('abort', h);
        s.addEventListener('abort', null);         // ignored, as in browsers
        c.abort();
        return out;
        """
    )
    # h, removed by an earlier listener during the dispatch, does not run.
    assert got == ["f", "f"]


def test_listener_signal_option_removes_it() -> None:
    got = js(
        """
        const out = [];
        const c = new AbortController();
        const remover = new AbortController();
        c.signal.addEventListener('abort', () => out.push('removed'), {signal: remover.signal});
        c.signal.addEventListener('abort', () => out.push('kept'));
        remover.abort();
        c.signal.addEventListener('abort', () => out.push('never'), {signal: AbortSignal.abort()});
        c.abort();
        return out;
        """
    )
    assert got == ["kept"]


def test_throwing_listener_is_reported_and_others_still_run() -> None:
    got = js(
        """
        const out = [], reported = [];
        const old = globalThis.reportError;
        globalThis.reportError = (e) => reported.push(e.message);
        try {
          const c = new AbortController();
          c.signal.addEventListener('abort', () => { throw new Error('boom'); });
          c.signal.addEventListener('abort', () => out.push('second'));
          c.abort();
        } finally {
          if (old === undefined) delete globalThis.reportError; else globalThis.reportError = old;
        }
        return [out, reported];
        """
    )
    assert got == [["second"], ["boom"]]


def test_throw_if_aborted_throws_the_reason_itself() -> None:
    got = js(
        """
        const c = new AbortController();
        c.signal.throwIfAborted();
        const reason = new Error('mine');
        c.abort(reason);
        try { c.signal.throwIfAborted(); } catch (e) { return e === reason; }
        return 'no throw';
        """
    )
    assert got is True


def test_throw_if_aborted_checks_its_this_like_the_other_members() -> None:
    got = js(
        """
        const method = AbortSignal.prototype.throwIfAborted;
        try { method.call({aborted: true, reason: 'forged'}); return 'no throw'; }
        catch (e) { return e.name + ': ' + e.message; }
        """
    )
    assert got == 'TypeError: Value of "this" must be of type AbortSignal'


def test_static_abort() -> None:
    got = js(
        """
        const a = AbortSignal.abort(), b = AbortSignal.abort('why');
        return [a.aborted, a.reason.name, b.aborted, b.reason];
        """
    )
    assert got == [True, "AbortError", True, "why"]


async def test_static_timeout_aborts_with_timeout_error() -> None:
    start = asyncio.get_running_loop().time()
    record = await asyncio.wait_for(
        bridge.eval(
            """
            new Promise((resolve) => {
              const s = AbortSignal.timeout(30);
              const early = s.aborted;
              s.addEventListener('abort', () => resolve(JSON.stringify(
                [early, s.aborted, s.reason instanceof DOMException, s.reason.name, s.reason.code,
                 s.reason.message])));
            })
            """
        ),
        5,
    )
    elapsed = asyncio.get_running_loop().time() - start
    assert json.loads(str(record)) == [
        False,
        True,
        True,
        "TimeoutError",
        23,
        "The operation was aborted due to timeout",
    ]
    assert elapsed >= 0.025


@pytest.mark.parametrize("bad", ["-1", "NaN", "Infinity", "'10'", "undefined"])
def test_static_timeout_rejects_bad_delay(bad: str) -> None:
    got = js(f"try {{ AbortSignal.timeout({bad}); }} catch (e) {{ return [e.name, e.message]; }}")
    assert got[0] == "TypeError"
    assert got[1].startswith("AbortSignal.timeout: delay must be a finite non-negative number")


def test_any_follows_the_first_source_to_abort() -> None:
    got = js(
        """
        const a = new AbortController(), b = new AbortController();
        const any = AbortSignal.any([a.signal, b.signal]);
        const seen = [];
        any.addEventListener('abort', () => seen.push(any.reason));
        b.abort('from b');
        a.abort('from a');
        return [any.aborted, any.reason, seen];
        """
    )
    assert got == [True, "from b", ["from b"]]


def test_any_fires_after_the_source_as_in_node_and_the_dom_spec() -> None:
    # The DOM's "signal abort": the source's own listeners first, then its dependents'; a
    # dependent of a dependent (any of any) follows the original source directly.
    got = js(
        """
        const a = new AbortController(), b = new AbortController();
        const any = AbortSignal.any([a.signal, b.signal]);
        const anyOfAny = AbortSignal.any([any]);
        const seen = [];
        anyOfAny.addEventListener('abort', () => seen.push('anyOfAny:' + anyOfAny.reason));
        any.addEventListener('abort', () => seen.push('any:' + any.reason));
        b.signal.addEventListener('abort', () => seen.push('b:' + b.signal.reason));
        b.signal.onabort = () => seen.push('b.onabort');
        b.abort('from b');
        a.abort('from a');
        return seen;
        """
    )
    assert got == ["b:from b", "b.onabort", "any:from b", "anyOfAny:from b"]


def test_any_with_an_aborted_source_is_aborted_at_once() -> None:
    got = js(
        """
        const a = new AbortController();
        const early = AbortSignal.abort('early'), late = AbortSignal.abort('late');
        const any = AbortSignal.any([a.signal, early, late]);
        const empty = AbortSignal.any([]);
        return [any.aborted, any.reason, empty.aborted];
        """
    )
    assert got == [True, "early", False]


def test_any_rejects_non_signals() -> None:
    got = js(
        """
        const out = [];
        for (const bad of [[new AbortController().signal, 1], 5, null, [{aborted: false}]]) {
          try { AbortSignal.any(bad); out.push('accepted'); }
          catch (e) { out.push(e.name + ': ' + e.message); }
        }
        return out;
        """
    )
    assert got == [
        "TypeError: AbortSignal.any: item 1 is not an AbortSignal",
        "TypeError: AbortSignal.any: the argument must be an iterable of AbortSignal",
        "TypeError: AbortSignal.any: the argument must be an iterable of AbortSignal",
        "TypeError: AbortSignal.any: item 0 is not an AbortSignal",
    ]


def test_signals_cannot_be_forged() -> None:
    got = js(
        """
        const out = [];
        try { new AbortSignal(); } catch (e) { out.push(e.name + ': ' + e.message); }
        const getter = Object.getOwnPropertyDescriptor(AbortSignal.prototype, 'aborted').get;
        try { getter.call({aborted: true}); } catch (e) { out.push(e.name + ': ' + e.message); }
        try { new AbortController().signal.addEventListener('abort', () => {}, {signal: 1}); }
        catch (e) { out.push(e.name + ': ' + e.message); }
        return out;
        """
    )
    assert got == [
        "TypeError: Illegal constructor",
        'TypeError: Value of "this" must be of type AbortSignal',
        'TypeError: The "options.signal" property must be an AbortSignal',
    ]
