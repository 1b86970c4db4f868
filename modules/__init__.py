"""Business capabilities, one package each (see ARCHITECTURE.md)."""
