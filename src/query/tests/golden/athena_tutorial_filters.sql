-- Athena-style filters: the last 10 days before a date, days since a reference, day of week
SELECT symbol, date_format(ts, '%Y-%m-%d %a') AS day, close,
       date_diff('day', from_iso8601_timestamp('2021-01-01T00:00:00Z'), ts) AS days_since_new_year,
       day_of_week(ts) AS dow
FROM bars
WHERE symbol = 'NYA'
  AND ts > date_add('day', -10, date_parse('2021-02-26', '%Y-%m-%d'))
  AND ts <= date_parse('2021-02-26', '%Y-%m-%d')
ORDER BY ts;
