"""simlab's version (one place: the package, the help text and every dataset read it)."""

__version__ = "0.1.0"
