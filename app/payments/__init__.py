"""Payments kernel: the gateway to the payment provider (Stripe) and its local emulator."""
