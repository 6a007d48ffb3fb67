"""Realtime channels: events published after commit, to the board and handhelds."""
