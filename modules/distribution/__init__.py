"""Channel distribution and settlement: distributors and agreements (authorised products,
settlement prices, payment terms, two levels), the agency's 分销采购 page and the distributor
API, signed callbacks, a double-entry ledger, statements, disputes, reconciliation, payouts,
and packages across enterprises. See docs/distribution.md and `models.py` for the design of
the meeting between two tenants."""
