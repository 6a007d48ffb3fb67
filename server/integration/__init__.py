"""What other systems hear of: the transactional outbox, webhooks, channel and ERP sync."""
