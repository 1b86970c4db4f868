"""Zhilv platform kernel."""
