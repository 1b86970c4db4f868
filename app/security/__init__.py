"""Passwords, tokens."""
