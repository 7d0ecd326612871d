-- Bookings and revenue per city per month, straight from the export's files with DuckDB:
--   duckdb -c ".read ops/analytics/bookings-by-city-month.duckdb.sql"   (run where export/ is, or edit the path)
-- Same definitions as the PostgreSQL version: a booking is a confirmed stay, counted in the UTC month
-- it was confirmed; revenue is its total price less its cancellation's refund; the city comes from
-- the listing's latest listings.listing.upserted.
CREATE OR REPLACE TEMP VIEW analytics_export AS
SELECT *
FROM read_json('export/day=*/event_type=*/*.ndjson.gz',
               format = 'newline_delimited',
               hive_partitioning = true,
               columns = {id: 'VARCHAR', type: 'VARCHAR', version: 'INTEGER', aggregateId: 'VARCHAR', occurredAt: 'TIMESTAMPTZ', payload: 'JSON'});

WITH listing_city AS (
  SELECT payload ->> 'listingId' AS listing_id,
         arg_max(payload ->> 'city', (coalesce(TRY_CAST(payload ->> 'version' AS INTEGER), 0), occurredAt)) AS city
  FROM analytics_export
  WHERE type = 'listings.listing.upserted'
  GROUP BY 1
),
confirmed AS (
  SELECT payload ->> 'stayId' AS stay_id,
         payload ->> 'listingId' AS listing_id,
         strftime(timezone('UTC', occurredAt), '%Y-%m') AS month,
         CAST(payload ->> 'totalPrice' AS DECIMAL(18, 2)) AS total_price,
         payload ->> 'currency' AS currency
  FROM analytics_export
  WHERE type = 'bookings.stay.confirmed'
),
refunds AS (
  SELECT payload ->> 'stayId' AS stay_id, sum(CAST(payload ->> 'refundAmount' AS DECIMAL(18, 2))) AS refunded
  FROM analytics_export
  WHERE type = 'bookings.stay.cancelled'
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
GROUP BY ALL
ORDER BY c.month, city, c.currency;
