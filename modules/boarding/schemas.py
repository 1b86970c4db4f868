"""API types and console forms of the boarding module (request bodies inherit
`app.web.input.Cleaned`)."""

from __future__ import annotations
