-- one bar per session day (1d aligned to the session open) through the general ohlcv form
SELECT * FROM ohlcv('trades', '1d', 'America/New_York', '09:30', '16:00') ORDER BY symbol, ts;
