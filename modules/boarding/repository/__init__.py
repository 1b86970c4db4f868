"""All SQL of the boarding module, on the tenant-scoped base (row-level security is the second
lock). One repository per topic, each in its own file here, re-exported by name:

- `voyages`: ships, cabin plans, boarding voyages, port calls, crew.
- `manifest`: passengers and manifest changes.
- `passes`: signing keys and boarding passes.
- `scans`: gangway scans, counts aboard.
"""
