"""groups module:
group tours: contracts, days, vehicles, guide assignments, filed before departure.
"""
