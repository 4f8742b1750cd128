"""The settlement and invoices sections: Stripe, refunds, the convention's split, invoices,
the event report and the yearly indicators, on top of ``regie.settlement``."""
