-- date_parse with MySQL-style specifiers (one row per case)
SELECT * FROM (VALUES
    ('iso',        date_parse('2025-01-06 14:30:05', '%Y-%m-%d %H:%i:%s')),
    ('T',          date_parse('2025-01-06T14:30:05', '%Y-%m-%dT%T')),
    ('fraction',   date_parse('2025-01-06 14:30:05.25', '%Y-%m-%d %H:%i:%s.%f')),
    ('fraction9',  date_parse('2025-01-06 14:30:05.123456789', '%Y-%m-%d %H:%i:%s.%f')),
    ('us_12h',     date_parse('01/06/2025 02:30:05 PM', '%m/%d/%Y %r')),
    ('names',      date_parse('Mon, 6 Jan 2025 9:05', '%a, %e %b %Y %k:%i')),
    ('month_name', date_parse('January 6 2025', '%M %e %Y')),
    ('one_digit',  date_parse('1/6/2025 2:05:00 AM', '%c/%e/%Y %l:%i:%S %p')),
    ('two_digit',  date_parse('06-01-69', '%d-%m-%y')),
    ('two_digit2', date_parse('06-01-70', '%d-%m-%y')),
    ('day_of_yr',  date_parse('2025-037', '%Y-%j')),
    ('percent',    date_parse('100% 2025-01-06', '100%% %Y-%m-%d'))
) t(name, parsed);
