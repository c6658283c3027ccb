-- date_diff counts complete units (Trino), unlike DuckDB's own boundary count kept as datediff;
-- date_add with units, negative amounts, month-end clamping, and DuckDB's (date, interval) form
SELECT date_diff('day', TIMESTAMP '2020-01-01 23:00', TIMESTAMP '2020-01-02 01:00') AS trino_days,
       datediff('day', TIMESTAMP '2020-01-01 23:00', TIMESTAMP '2020-01-02 01:00') AS duckdb_days,
       date_diff('hour', TIMESTAMP '2025-03-07 09:30', TIMESTAMP '2025-03-07 16:00') AS hours,
       date_diff('second', TIMESTAMP '2025-03-07 16:00', TIMESTAMP '2025-03-07 09:30') AS negative_seconds,
       date_diff('millisecond', TIMESTAMP '2025-03-07 00:00:00', TIMESTAMP '2025-03-07 00:00:01.2345') AS ms,
       date_diff('week', DATE '2025-01-01', DATE '2025-01-20') AS weeks,
       date_diff('month', DATE '2020-01-31', DATE '2020-02-29') AS months_end,
       date_diff('quarter', DATE '2025-01-15', DATE '2025-10-14') AS quarters,
       date_diff('year', DATE '2020-02-29', DATE '2021-02-28') AS years,
       date_add('day', -1, TIMESTAMP '2025-01-06 14:30') AS minus_day,
       date_add('month', 1, TIMESTAMP '2020-01-31') AS month_end,
       date_add('quarter', 1, TIMESTAMP '2020-11-30 08:00') AS quarter,
       date_add('millisecond', 1500, TIMESTAMP '2025-01-06 00:00') AS ms_add,
       date_add('HOUR', 36, TIMESTAMP '2025-01-06 00:00') AS upper_unit,
       date_add('week', 2, DATE '2025-01-06') AS weeks_on_date,
       date_add('year', -1, TIMESTAMP '2024-02-29') AS leap_back,
       date_add(DATE '2025-01-06', INTERVAL 1 DAY) AS duckdb_form;
