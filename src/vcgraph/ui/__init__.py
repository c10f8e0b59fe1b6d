"""The analyst's web UI (``/ui/``): value chain, coverage heatmap, gaps, convergence, matchmaking and trends,
drawn in the browser from the ``/api`` questions. ``router`` is included by :func:`vcgraph.http.app.create_app`."""

from vcgraph.ui.routes import router

__all__ = ["router"]
