-- date_format with MySQL-style specifiers on one timestamp
SELECT date_format(TIMESTAMP '2025-03-07 14:05:09.123456', '%Y-%m-%d %H:%i:%s') AS iso,
       date_format(TIMESTAMP '2025-03-07 14:05:09.123456', '%W, %M %e, %Y') AS long_date,
       date_format(TIMESTAMP '2025-03-07 14:05:09.123456', '%a %b %d %y') AS short_date,
       date_format(TIMESTAMP '2025-03-07 14:05:09.123456', '%r') AS time_12h,
       date_format(TIMESTAMP '2025-03-07 14:05:09.123456', '%T.%f') AS time_us,
       date_format(TIMESTAMP '2025-03-07 04:05:09', '%h|%I|%k|%l|%p|%c|%j') AS unpadded,
       date_format(TIMESTAMP '2025-12-29 00:00:00', '%x-W%v') AS iso_week,
       date_format(TIMESTAMP '2025-03-07 14:05:09', '100%% at %H%i, %q') AS literals,
       date_format(DATE '2025-03-07', '%Y/%m/%d') AS from_date,
       date_format(TIMESTAMPTZ '2025-03-07 09:05:09-05', '%Y-%m-%d %H:%i') AS from_tz;
