"""3PL billing (issue 12). Only the pure pricing rules exist so far: see rules.py."""
