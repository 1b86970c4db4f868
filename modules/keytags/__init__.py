"""Hot-spring key tags (手牌): visits and admission, lockers, charges at the outlets on the tag,
time fees, lost tags, offline readers, settlement at the exit desk and the exit gate, shift
and outlet reports, and the `hot_spring_monthly` report to the bureau."""
