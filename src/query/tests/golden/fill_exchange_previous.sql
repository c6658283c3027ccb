-- Hour bars filled inside the NYSE's sessions only: up to the 13:00 early close on 07-03, nothing
-- on Independence Day or the weekend, then 09:30 on 07-07 (an exchange gives ohlcv_filled its
-- zone and regular hours when none are named)
WITH holiday_trades AS (
    SELECT 'CCC' AS symbol, ts, price, size
    FROM (VALUES (TIMESTAMP '2025-07-02 19:10', 10.0, 1.0), (TIMESTAMP '2025-07-03 13:40', 11.0, 2.0),
                 (TIMESTAMP '2025-07-07 14:05', 12.0, 1.0)) v(ts, price, size))
SELECT symbol, ts, utc_to_local(ts, 'America/New_York') AS local_start, close, volume, filled
FROM ohlcv_filled('holiday_trades', '1h', exchange := 'XNYS')
ORDER BY symbol, ts;
