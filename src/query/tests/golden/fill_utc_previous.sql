-- 1h UTC bars of AAA on 2025-03-07 with the 16:00 and 17:00 bars missing, fill method 'previous'
WITH aaa_bars AS (FROM ohlcv('trades', '1h') WHERE symbol = 'AAA' AND ts < TIMESTAMP '2025-03-08')
SELECT * FROM fill_bars('aaa_bars', '1h', 'previous') ORDER BY symbol, ts;
