"""Background jobs on SAQ (a Redis-backed asyncio job queue): housekeeping now, optimizer runs later."""
