"""One screen per question: login, menu, move, stock look-up, queue status."""
