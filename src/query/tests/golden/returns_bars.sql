-- daily simple and log returns of the index bars (default value column: close)
SELECT * FROM returns('bars') WHERE ts <= TIMESTAMP '2021-01-19' ORDER BY symbol, ts;
