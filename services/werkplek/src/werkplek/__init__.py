"""werkplek: the web front-end of meldroute for the people who do the work."""

__version__ = "0.1.0"
