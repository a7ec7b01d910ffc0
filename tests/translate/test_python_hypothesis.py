"""The JS target's random chains, run through the Python target.

``test_hypothesis.programs`` draws chains (a base that resolves, rejects or is a thenable;
1-5 then/then(a, b)/catch/finally steps whose handlers return values, promises or thenables,
throw, log, return early or are not functions) placed where chains stand (returned, awaited,
an arrow's body). Each program runs in the engine and, translated to Python, under asyncio
with the same stubs; the value or error and the log must be equal.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, reject, settings

import bridge

from .python_harness import assert_same
from .test_hypothesis import programs

REFUSED = {
    "promise returned inside try (write return await)",
    "throw of a value that is not an Error",
    "comma operator",
}


@settings(
    max_examples=100,  # ~6 s per Python; CI runs four
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(programs(method_refs=False))
def test_random_chains_behave_the_same_in_python(program: str) -> None:
    try:
        bridge.translate(program, to="python")
    except bridge.TranslationError as exc:
        # The generator also draws shapes this target refuses on purpose (README): those
        # must be refused with their reason, never mistranslated.
        assert exc.rule == "unsupported" and exc.message in REFUSED, exc
        reject()
    assert_same(program)
