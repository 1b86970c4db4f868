"""guestservices module:
guest services from the terminals: service requests, orders to the room, ratings, complaints.
"""
