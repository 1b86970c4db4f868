"""Web plumbing shared by every surface: errors, templates, locale, logs, navigation."""
