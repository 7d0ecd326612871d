-- Bookings and revenue per city per month, from the analytics export loaded into PostgreSQL:
--   CREATE TABLE analytics_export (event jsonb NOT NULL);
--   zcat "$ANALYTICS_EXPORT_DIR"/day=*/event_type=*/*.ndjson.gz \
--     | psql "$WAREHOUSE_URL" -c "\copy analytics_export (event) FROM STDIN WITH (FORMAT csv, QUOTE e'\x01', DELIMITER e'\x02')"
-- (csv with quote and delimiter characters JSON never contains: text COPY would unescape the JSON's backslashes).
--
-- A booking is a confirmed stay (bookings.stay.confirmed), counted in the UTC month it was confirmed,
-- in its own currency; revenue is its total price less what its cancellation refunded. Stay events
-- carry no city, so it comes from the listing's latest listings.listing.upserted (highest version).
WITH listing_city AS (
  SELECT DISTINCT ON (event #>> '{payload,listingId}')
         event #>> '{payload,listingId}' AS listing_id,
         event #>> '{payload,city}' AS city
  FROM analytics_export
  WHERE event ->> 'type' = 'listings.listing.upserted'
  ORDER BY event #>> '{payload,listingId}', (event #>> '{payload,version}')::int DESC NULLS LAST, (event ->> 'occurredAt')::timestamptz DESC
),
confirmed AS (
  SELECT event #>> '{payload,stayId}' AS stay_id,
         event #>> '{payload,listingId}' AS listing_id,
         to_char((event ->> 'occurredAt')::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM') AS month,
         (event #>> '{payload,totalPrice}')::numeric AS total_price,
         event #>> '{payload,currency}' AS currency
  FROM analytics_export
  WHERE event ->> 'type' = 'bookings.stay.confirmed'
),
refunds AS (
  SELECT event #>> '{payload,stayId}' AS stay_id, sum((event #>> '{payload,refundAmount}')::numeric) AS refunded
  FROM analytics_export
  WHERE event ->> 'type' = 'bookings.stay.cancelled'
  GROUP BY 1
)
SELECT coalesce(l.city, '(unknown)') AS city,
       c.month,
       c.currency,
       count(*) AS bookings,
       count(r.stay_id) AS cancelled,
       sum(c.total_price - coalesce(r.refunded, 0)) AS revenue
FROM confirmed c
LEFT JOIN listing_city l ON l.listing_id = c.listing_id
LEFT JOIN refunds r ON r.stay_id = c.stay_id
GROUP BY 1, 2, 3
ORDER BY c.month, city, c.currency;
