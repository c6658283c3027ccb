-- Exchange calendars: weekends, holidays (rule-based and special closures), early closes and
-- DST, for New York, London and Frankfurt; 2030 is provisional (rules only) but still answers
SELECT d, is_trading_day('XNYS', d) AS nyse_trading, session_open('XNYS', d) AS nyse_open,
       session_close('XNYS', d) AS nyse_close, is_trading_day('xlon', d) AS lse_trading,
       session_open('XLON', d) AS lse_open, session_close('XLON', d) AS lse_close,
       session_close('XETR', d) AS xetra_close, exchange_info('XNAS').tz AS nasdaq_tz
FROM (VALUES (DATE '2021-12-31'), (DATE '2025-01-06'), (DATE '2025-01-09'), (DATE '2025-04-18'),
             (DATE '2025-04-21'), (DATE '2025-07-03'), (DATE '2025-07-04'), (DATE '2025-07-05'),
             (DATE '2025-07-07'), (DATE '2025-11-28'), (DATE '2025-12-24'), (DATE '2025-12-26'),
             (DATE '2030-07-04')) t(d)
ORDER BY d;
