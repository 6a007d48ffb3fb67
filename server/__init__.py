"""The warehouse execution server: HTTP API, board, database, realtime, workers."""

__version__ = "0.1.0"
