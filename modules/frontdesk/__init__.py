"""frontdesk module."""
