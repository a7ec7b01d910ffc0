"""Value shapes of real npm packages (from tests/packages' lockfile) crossing to Python."""

from __future__ import annotations

from pathlib import Path

import bridge


async def test_zod_safe_parse_async_error_issues_are_readable(npm_packages: Path) -> None:
    z = bridge.require(str(npm_packages / "zod")).z
    res = await z.object({"age": z.number()}).safeParseAsync({"age": "x"})
    assert res["success"] is False
    assert isinstance(res["error"], bridge.JSError)
    issue = res["error"]["issues"][0]
    assert issue["code"] == "invalid_type"
    assert issue["path"] == ["age"]


async def test_bluebird_thenables_and_methods_read_as_properties(npm_packages: Path) -> None:
    Bluebird = bridge.require(str(npm_packages / "bluebird"))
    delay = Bluebird.delay  # the function itself: still called with this === Bluebird
    assert await delay(5, "x") == "x"
    assert bridge.eval("(B, d) => B.delay === d")(Bluebird, delay)
    assert await Bluebird.resolve([1, None]).then(lambda v: [*v, 3]) == [1, None, 3]
