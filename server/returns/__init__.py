"""Customer returns (RMA): authorisations linked to shipped order lines, receiving, grading and disposition."""
