"""contracts module:
electronic travel contracts: drafting, e-numbers, signing, PDFs, public check, bureau filing.
"""
