"""The public surface: __all__ is exactly the public names, each importable from bridge."""

from __future__ import annotations

import bridge


def test_all_is_sorted_and_unique() -> None:
    assert list(bridge.__all__) == sorted(set(bridge.__all__))


def test_all_names_exist() -> None:
    for name in bridge.__all__:
        assert hasattr(bridge, name), name


def test_all_matches_public_names() -> None:
    public = {n for n in vars(bridge) if not n.startswith("_")} - {"annotations", "Any"}
    # Submodules show up as attributes once imported; they are not public names.
    public = {n for n in public if type(getattr(bridge, n)).__name__ != "module"} | (
        {"translate"} & set(bridge.__all__)
    )
    assert public == set(bridge.__all__)


def test_error_tree() -> None:
    assert issubclass(bridge.JSTypeError, TypeError)
    assert issubclass(bridge.JSRangeError, ValueError)
    assert issubclass(bridge.JSReferenceError, NameError)
    assert issubclass(bridge.JSSyntaxError, SyntaxError)
    for cls in (
        bridge.JSError,
        bridge.RuntimeNotReady,
        bridge.WrongThread,
        bridge.TranslationError,
    ):
        assert issubclass(cls, bridge.BridgeError)
    assert issubclass(bridge.TranslationError, bridge.BridgeError)
    assert issubclass(bridge.AggregateError, bridge.JSAggregateError)


def test_rejection_describes_its_value() -> None:
    assert str(bridge.JSRejection(42.0)) == "JS rejected with a non-Error value: 42"
    assert bridge.JSRejection(None, is_null=True).message == "null"
    assert bridge.JSRejection(None).message == "undefined"
