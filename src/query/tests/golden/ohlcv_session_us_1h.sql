-- US equity session bars across the DST change: 09:30 New York is 14:30 UTC on Fri 2025-03-07
-- (EST) and 13:30 UTC on Mon 2025-03-10 (EDT); trades before 09:30 and from 16:00 are left out;
-- the last bar of a day, 15:30-16:00 local, is half an hour long
SELECT symbol, ts, utc_to_local(ts, 'America/New_York') AS local_start, open, high, low, close, volume, trade_count, vwap
FROM ohlcv_us_equities('trades', '1h')
ORDER BY symbol, ts;
