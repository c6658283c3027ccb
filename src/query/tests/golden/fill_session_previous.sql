-- 30-minute session bars carried forward over gaps inside the session, and never into the night,
-- the weekend or before a symbol's first bar (BBB starts on 2025-03-10)
SELECT symbol, ts, utc_to_local(ts, 'America/New_York') AS local_start, open, close, volume, trade_count, filled
FROM ohlcv_filled('trades', '30m', 'previous', 'America/New_York', '09:30', '16:00')
ORDER BY symbol, ts;
