"""Settlement: Stripe reconciliation, refunds, the convention split, invoices, reports."""
