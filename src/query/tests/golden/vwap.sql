-- VWAP per symbol and day, next to the plain mean price
SELECT symbol, CAST(ts AS DATE) AS day, vwap(price, size) AS vwap, avg(price) AS mean_price, sum(size) AS volume
FROM trades GROUP BY ALL ORDER BY symbol, day;
