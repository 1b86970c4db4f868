"""Notification outbox: e-mail and SMS sent by the worker."""
