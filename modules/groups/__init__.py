"""groups module: group tours (团队) — contracts, days, vehicles, guides — filed with the
bureau before departure.

Design decisions (what a reviewer or a new colleague needs to know):

- Group number (团号): unique per agency (database constraint). A new group gets
  `<two letters of the agency's slug><departure yyyymmdd>-NN`, the first free NN of that
  day (`BT20261201-01` for bayu-travel); the agent may type another one while the group
  is a draft. Two agents creating groups for the same day at once: the loser takes the
  next number; a typed number already used is refused.
- Contracts: signed and not cancelled (asked of the contracts service), their trip within
  the group's dates, and in at most ONE active group: a partial unique index on
  `group_contracts (tenant_id, contract_id) WHERE active`; cancelling a group deactivates
  its rows and frees the contracts. The tourist count is the sum of the contracts'.
- Days: exactly one row per day from departure to return (the form redraws the rows when
  the dates change, keeping what was typed). Vehicles: Chinese plates (ordinary and
  new-energy), 1–99 seats, a driver.
- Seats: all vehicles together must seat the tourists and the guides. While planning this
  is a warning on the page; filing refuses it (a coach may not carry more people than its
  seats, Road Traffic Safety Law Art. 49).
- Guides: assigned through the guides service, which keeps the assignments and refuses a
  guide whose other group shares a day (adjacent tours are fine), an expired licence or a
  guide who left; its message is shown on the page. Moving a draft's dates re-checks.
- Filing: "File with the bureau" files `POST /v1/groups` and one `POST
  /v1/guide-assignments` per guide through the filings engine, in the same transaction;
  the assignments wait until the group's filing is accepted. Refused with the list of what
  is missing (contracts, days and places, a vehicle with enough seats, a guide). Before
  the departure day it is on time; on the road it is filed and flagged late; after the
  return day it is refused. The group page shows each filing's state and receipt number.
- After filing the group is LOCKED: the bureau's interface has no amendment for groups
  and refuses a group number twice, so a changed plan is a new group (cancel this one,
  which frees its contracts and guides, and file the new one). Cancelling a filed group
  is recorded here only: the interface has no cancellation for groups, and the page says
  so.
"""
