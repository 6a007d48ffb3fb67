"""The ASGI application for `uvicorn server.asgi:app` (several worker processes import this)."""

from server.app import create_app

app = create_app()
