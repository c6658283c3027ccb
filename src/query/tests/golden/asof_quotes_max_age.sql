-- quotes older than 3 minutes do not count: BBB trades during its quiet spell get NULLs
SELECT symbol, ts, price, quote_ts, bid, bid_size, ask, ask_size
FROM asof_quotes('trades', 'quotes', max_quote_age := '3 minutes')
WHERE symbol = 'BBB' AND ts BETWEEN TIMESTAMP '2025-03-10 16:30' AND TIMESTAMP '2025-03-10 18:00'
ORDER BY ts;
