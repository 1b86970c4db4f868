"""API types and console forms of the boarding module, one file per topic (request bodies
inherit `app.web.input.Cleaned`)."""
