"""Renderers: turn a run's Dataset into something a person looks at.

:mod:`~simlab.render.figures` holds the shared matplotlib helpers (the object-oriented API
only, so simlab never touches pyplot's global state or chooses a backend); each task draws
its own figures beside its code from its Dataset. An HTML report renderer belongs here too.
"""
