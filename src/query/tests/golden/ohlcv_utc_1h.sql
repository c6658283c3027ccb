-- 1-hour bars aligned to UTC, text interval; AAA has no trades 16:00-18:00 UTC on 2025-03-07 (no rows there)
SELECT * FROM ohlcv('trades', '1h') ORDER BY symbol, ts;
