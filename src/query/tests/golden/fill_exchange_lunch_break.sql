-- Half-hour bars filled inside Hong Kong's sessions: the morning to 12:00, nothing in the lunch
-- break, the afternoon from 13:00 to the 16:00 close (UTC+8)
WITH hk_trades AS (
    SELECT '0700' AS symbol, ts, price, size
    FROM (VALUES (TIMESTAMP '2025-07-02 03:10', 500.0, 1.0), (TIMESTAMP '2025-07-02 06:40', 502.0, 2.0)) v(ts, price, size))
SELECT symbol, ts, utc_to_local(ts, 'Asia/Hong_Kong') AS local_start, close, volume, filled
FROM ohlcv_filled('hk_trades', '30m', exchange := 'XHKG')
ORDER BY symbol, ts;
