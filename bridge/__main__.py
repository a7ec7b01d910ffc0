"""``python -m bridge``: the ``bridge`` command, for when the console script is not on PATH."""

from __future__ import annotations

import sys

from ._cli import main

if __name__ == "__main__":
    sys.exit(main())
