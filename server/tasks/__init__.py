"""The task queue every flow feeds (putaway, pick, count, replenish): claim, start, finish, cancel, reassign."""
