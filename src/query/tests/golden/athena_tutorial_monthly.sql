-- an Athena tutorial-style query, unchanged: monthly statistics of the indexes whose symbol
-- starts with N, between two dates given as text
SELECT symbol,
       date_format(ts, '%Y-%m') AS month,
       count(*) AS days,
       round(avg(close), 2) AS avg_close,
       max(high) AS high,
       min(low) AS low,
       approx_percentile(volume, 0.5) AS median_volume
FROM bars
WHERE regexp_like(symbol, '^N')
  AND ts >= date_parse('2021-01-01', '%Y-%m-%d')
  AND ts < date_parse('2021-03-01 00:00:00', '%Y-%m-%d %H:%i:%s')
GROUP BY 1, 2
ORDER BY 1, 2;
