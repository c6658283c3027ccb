-- 10-minute bars with an INTERVAL argument; the bar 2025-03-10 15:10 holds two AAA trades at the
-- same microsecond: open is the lower price, close the higher (the documented tie rule)
SELECT * FROM ohlcv('trades', INTERVAL 10 MINUTE)
WHERE ts BETWEEN TIMESTAMP '2025-03-10 14:50' AND TIMESTAMP '2025-03-10 15:30'
ORDER BY symbol, ts;
