"""The booking statements, each one round trip.

Never overbooked, without deadlocks: every statement that changes `inventory_days.sold`
first locks the rows it touches with `SELECT … ORDER BY unit_type_id, day FOR UPDATE`
(so two bookings always queue in the same order), checks under the lock that EVERY night
has room, and changes them all or none. Reservations are locked before inventory (never
the other way round), and the hold sweeper skips reservations another transaction holds.
"""

from sqlalchemy import text

_QUOTE = text(
    """
    SELECT ut.id AS unit_type_id, ut.code, ut.name, ut.kind, ut.capacity, ut.active,
           ut.voyage_id, v.depart_on, v.arrive_on, v.status AS voyage_status,
           rp.id AS rate_plan_id, rp.code AS plan_code, rp.name AS plan_name,
           rp.kind AS plan_kind, rp.discount_bp, rp.net_price_fen, rp.free_cancel_hours,
           rp.cancel_fee_kind, rp.cancel_fee_bp, rp.deposit_kind, rp.deposit_bp,
           rp.active AS plan_active,
           i.day, i.total, i.sold, i.price_fen, i.closed, i.closed_to_arrival, i.min_stay
    FROM unit_types ut
    JOIN rate_plans rp ON rp.tenant_id = :t AND rp.id = :rp
    LEFT JOIN voyages v ON v.tenant_id = :t AND v.id = ut.voyage_id
    LEFT JOIN inventory_days i ON i.tenant_id = :t AND i.unit_type_id = ut.id
         AND i.day >= :a AND i.day < :d
    WHERE ut.tenant_id = :t AND ut.id = :ut
    ORDER BY i.day
    """
)

# The API's hot path claims the Idempotency-Key in the same round trip as the quote:
# one row even when the type or plan is unknown (then its quote columns are NULL).
_CLAIM_AND_QUOTE = text(
    """
    WITH claim AS (
        INSERT INTO idempotency_keys (id, tenant_id, key, method, path, request_hash,
                                      created_at)
        VALUES (:claim_id, :t, :key, :method, :path, :hash, now())
        ON CONFLICT (tenant_id, key) DO NOTHING
        RETURNING id
    ), q AS (
    """
    + _QUOTE.text
    + """
    )
    SELECT (SELECT id FROM claim) AS claimed_id, q.*
    FROM (SELECT 1) AS one LEFT JOIN q ON true
    ORDER BY q.day
    """
)

_AVAILABILITY = text(
    """
    SELECT ut.id, ut.code, ut.name, ut.kind, ut.capacity, ut.voyage_id, ut.description,
           v.depart_on, v.arrive_on, v.status AS voyage_status,
           i.day, i.total, i.sold, i.price_fen, i.closed, i.closed_to_arrival, i.min_stay
    FROM unit_types ut
    JOIN inventory_days i ON i.tenant_id = :t AND i.unit_type_id = ut.id
         AND i.day >= :a AND i.day < :d
    LEFT JOIN voyages v ON v.tenant_id = :t AND v.id = ut.voyage_id
    WHERE ut.tenant_id = :t AND ut.active
      AND (CAST(:kind AS text) IS NULL OR ut.kind = CAST(:kind AS text))
      AND (CAST(:voyage AS uuid) IS NULL OR ut.voyage_id = CAST(:voyage AS uuid))
    ORDER BY ut.sort_order, ut.code, i.day
    """
)

_RESERVE = text(
    """
    WITH locked AS (
        SELECT id, sold, total, closed FROM inventory_days
        WHERE tenant_id = :t AND unit_type_id = :ut AND day >= :a AND day < :d
        ORDER BY day
        FOR UPDATE
    ), ok AS (
        SELECT count(*) = :n AND coalesce(bool_and(NOT closed AND sold + :q <= total), false)
               AS ok
        FROM locked
    ), upd AS (
        UPDATE inventory_days i SET sold = i.sold + :q
        FROM locked l, ok WHERE ok.ok AND i.id = l.id
        RETURNING i.id
    ), res AS (
        INSERT INTO reservations (
            id, tenant_id, code, status, unit_type_id, rate_plan_id, quantity, arrival,
            departure, adults, children, guest_name, guest_phone, guest_email, id_type,
            id_number, preferences, notes, total_fen, deposit_fen, source, channel,
            hold_expires_at, confirmed_at, created_at, updated_at)
        SELECT :id, :t, :code, :status, :ut, :rp, :q, :a, :d, :adults, :children,
               :guest_name, :guest_phone, :guest_email, :id_type, :id_number,
               CAST(:preferences AS text[]), :notes, :total, :deposit, :source, :channel,
               :hold_expires_at, :confirmed_at, :now, :now
        FROM ok WHERE ok.ok
        RETURNING id
    ), nights AS (
        INSERT INTO reservation_nights (id, tenant_id, reservation_id, unit_type_id, day,
                                        price_fen, created_at)
        SELECT x.id, :t, r.id, :ut, x.day, x.price, :now
        FROM res r,
             unnest(CAST(:night_ids AS uuid[]), CAST(:days AS date[]),
                    CAST(:prices AS bigint[])) AS x(id, day, price)
        RETURNING 1
    ), answer AS (
        UPDATE idempotency_keys SET status_code = CAST(:answer_status AS smallint),
                                    response = CAST(:answer_body AS jsonb)
        FROM ok
        WHERE ok.ok AND tenant_id = :t AND id = CAST(:answer_id AS uuid)
        RETURNING 1
    )
    SELECT ok.ok, (SELECT count(*) FROM nights) AS nights FROM ok
    """
)

# Move `sold` by a signed amount per (type, day): release old nights, take new ones, in
# one locked pass. Only the dates that gain must have room; all of them must exist.
_SHIFT = text(
    """
    WITH delta AS (
        SELECT ut, day, sum(q)::int AS q
        FROM unnest(CAST(:uts AS uuid[]), CAST(:days AS date[]), CAST(:qs AS int[]))
             AS x(ut, day, q)
        GROUP BY ut, day
    ), locked AS (
        SELECT i.id, i.sold, i.total, i.closed, d.q
        FROM inventory_days i JOIN delta d ON d.ut = i.unit_type_id AND d.day = i.day
        WHERE i.tenant_id = :t
        ORDER BY i.unit_type_id, i.day
        FOR UPDATE OF i
    ), ok AS (
        SELECT (SELECT count(*) FROM locked WHERE q > 0) = :gaining
               AND coalesce(bool_and(q <= 0 OR (NOT closed AND sold + q <= total)), true)
               AS ok
        FROM locked
    ), upd AS (
        UPDATE inventory_days i SET sold = greatest(0, i.sold + l.q)
        FROM locked l, ok WHERE ok.ok AND i.id = l.id AND l.q <> 0
        RETURNING 1
    )
    SELECT ok.ok FROM ok
    """
)

# Holds past their time give their nights back. Reservations another transaction is
# confirming right now are skipped (SKIP LOCKED); the next sweep sees them settled.
_EXPIRE = text(
    """
    WITH due AS (
        SELECT id FROM reservations
        WHERE tenant_id = :t AND status = 'held' AND hold_expires_at <= :now
          AND (CAST(:ut AS uuid) IS NULL OR unit_type_id = CAST(:ut AS uuid))
        ORDER BY id
        LIMIT 500
        FOR UPDATE SKIP LOCKED
    ), expired AS (
        UPDATE reservations r SET status = 'expired', updated_at = :now
        FROM due WHERE r.id = due.id
        RETURNING r.id, r.quantity
    ), freed AS (
        SELECT n.unit_type_id, n.day, sum(e.quantity)::int AS q
        FROM reservation_nights n JOIN expired e ON e.id = n.reservation_id
        WHERE n.tenant_id = :t
        GROUP BY n.unit_type_id, n.day
    ), locked AS (
        SELECT i.id, f.q FROM inventory_days i
        JOIN freed f ON f.unit_type_id = i.unit_type_id AND f.day = i.day
        WHERE i.tenant_id = :t
        ORDER BY i.unit_type_id, i.day
        FOR UPDATE OF i
    ), upd AS (
        UPDATE inventory_days i SET sold = greatest(0, i.sold - l.q)
        FROM locked l WHERE i.id = l.id
        RETURNING 1
    )
    SELECT count(*) FROM expired
    """
)
