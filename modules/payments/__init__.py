"""payments module."""
