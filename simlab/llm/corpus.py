"""Text to run a language model over.

The default corpus is English text this project did not write and that ships with every
Python installation: the reference topics of the standard library's ``pydoc_data.topics``
(the text ``help()`` shows for keywords and statements), joined in sorted topic order.
"""

from pathlib import Path

from simlab.errors import DataError
from simlab.validation import read_text as read_text_file


def default_text():
    """The pydoc topics of this Python, joined by blank lines in sorted order."""
    from pydoc_data.topics import topics

    return "\n\n".join(topics[key] for key in sorted(topics))


def read_text(path):
    """The UTF-8 text of a file; DataError if missing, unreadable, not UTF-8 or empty."""
    path = Path(path)
    text = read_text_file(path, "file", key="llm.corpus")
    if not text.strip():
        raise DataError(f"llm.corpus={str(path)!r}: the file is empty")
    return text


def load_corpus(path=None):
    """(text, description): the file at ``path``, or the default pydoc corpus if None."""
    import sys

    if path is None:
        return default_text(), f"pydoc_data.topics of Python {sys.version.split()[0]}"
    return read_text(path), f"file {Path(path).name}"
