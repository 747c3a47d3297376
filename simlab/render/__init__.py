"""Renderers: turn a run's Dataset into something a person looks at.

:mod:`~simlab.render.figures` holds the shared matplotlib helpers (the object-oriented API
only, so simlab never touches pyplot's global state or chooses a backend); each task draws
its own figures beside its code from its Dataset. :mod:`~simlab.render.views` decides from a
Dataset which interactive views it gets, :mod:`~simlab.render.plots` draws them with Bokeh,
and :mod:`~simlab.render.report` writes them into a run's ``report.html``; :func:`show`
displays the same views in a Jupyter notebook.
"""


def show(ds, extra=()):
    """Display the report's views of ``ds`` (an xarray Dataset) in Jupyter (see
    :func:`simlab.render.plots.show`); ``extra``: a task's own views, e.g.
    ``simlab.tasks.get(ds.attrs["task"]).views(ds)``."""
    from simlab.render.plots import show as show_views

    show_views(ds, extra)
