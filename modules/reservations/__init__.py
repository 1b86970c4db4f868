"""reservations module."""
