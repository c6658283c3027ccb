-- daily index bars on a UTC day grid, N225's missing days interpolated (weekends too: UTC days)
SELECT symbol, ts, close, volume, filled
FROM fill_bars('bars', '1d', 'linear')
WHERE symbol = 'N225' AND ts BETWEEN TIMESTAMP '2021-01-08' AND TIMESTAMP '2021-01-19'
ORDER BY ts;
