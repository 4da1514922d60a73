"""Central China Atlas: gazetteer, geocoder, layer building and export.

Nothing in this package imports Flask; the web app in ``app.py`` is an adapter over it.
"""

__all__ = ["__version__"]
__version__ = "0.1.0"
