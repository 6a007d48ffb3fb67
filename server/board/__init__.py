"""The supervisor's web board: server-rendered pages (Jinja + htmx), charts, live updates over SSE."""
