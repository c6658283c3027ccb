-- trades with their prevailing quote on 2025-03-10 between 13:00 and 14:40 UTC: BBB's first
-- trade has none; a quote at the trade's exact microsecond counts
SELECT symbol, ts, price, quote_ts, bid, ask, mid, spread
FROM asof_quotes('trades', 'quotes')
WHERE ts BETWEEN TIMESTAMP '2025-03-10 13:00' AND TIMESTAMP '2025-03-10 14:40'
ORDER BY symbol, ts, price;
