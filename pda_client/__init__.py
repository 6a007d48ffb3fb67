"""The handheld (PDA) app: a display-free core (``core/``: API client, scan parsing, workflows, offline queue)
and thin Kivy screens on top."""
