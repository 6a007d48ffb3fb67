"""Floor exceptions: short picks, receiving discrepancies, weight mismatches, count variances — what a supervisor
must look at, each with the actions that resolve it."""
