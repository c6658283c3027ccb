-- Lunch breaks: Tokyo, Hong Kong and Shanghai sessions with their breaks in UTC (Hong Kong's
-- hours before its 2011-2012 reforms; a Christmas Eve half day without a break); NULL for an
-- exchange without one
SELECT d, session_open('XHKG', d) AS hk_open, session_break_start('XHKG', d) AS hk_break_start,
       session_break_end('XHKG', d) AS hk_break_end, session_close('XHKG', d) AS hk_close,
       session_break_start('XTKS', d) AS tse_break_start, session_close('XTKS', d) AS tse_close,
       session_break_end('XSHG', d) AS sse_break_end, session_break_start('XNYS', d) AS nyse_break_start,
       exchange_info('XSHG').break_start AS sse_regular_break
FROM (VALUES (DATE '2010-07-02'), (DATE '2025-07-02'), (DATE '2025-10-07'), (DATE '2025-12-24')) t(d)
ORDER BY d;
