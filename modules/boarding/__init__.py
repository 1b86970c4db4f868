"""Cruise boarding: ships and voyages, the real-name passenger manifest, signed boarding passes,
the gangway online and offline, and the voyage report to the bureau."""
