"""Names a package re-exports, loaded on first use (PEP 562), so that importing one module of the package does
not import the modules those names live in."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from typing import Any


def attributes(package: str, homes: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for `package` that loads each name of `homes` (name -> module holding it) the
    first time it is asked for and keeps it on the package; any other name is an AttributeError."""

    def load(name: str) -> Any:
        if name not in homes:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(homes[name]), name)
        setattr(sys.modules[package], name, value)
        return value

    return load
