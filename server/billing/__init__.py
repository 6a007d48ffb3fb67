"""3PL billing (issue 12): rate cards, daily storage snapshots, billable events derived from the ledger, documents
and tasks, invoices and credit notes. Pricing rules: rules.py; derivation: derive.py; invoices: invoices.py."""
