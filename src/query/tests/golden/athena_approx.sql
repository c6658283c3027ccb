-- approximate aggregates per symbol over the trades (small data: the answers are exact)
SELECT symbol,
       approx_distinct(price) AS distinct_prices,
       approx_distinct(side, 0.01) AS distinct_sides,
       approx_percentile(price, 0.5) AS median_price,
       approx_percentile(size, [0.0, 1.0]) AS size_range
FROM trades GROUP BY symbol ORDER BY symbol;
