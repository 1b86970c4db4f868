"""Payments kernel: the gateway to the payment provider (Stripe or, in development, its
local emulator from `devtools.stripe_emulator`)."""
