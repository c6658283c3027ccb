-- the scalar helpers behind the bars: UTC alignment (also before 1970 and for intervals that do
-- not divide an hour), session alignment on both sides of the DST change, outside the session,
-- time zone conversions, TIMESTAMPTZ input, interval parsing
SELECT bar_start(TIMESTAMP '2025-03-07 15:45:10', '1h') AS utc_1h,
       bar_start(TIMESTAMP '2025-03-07 15:45:10', INTERVAL 15 MINUTE) AS utc_15m,
       bar_start(TIMESTAMP '2025-03-07 15:45:10', '7m') AS utc_7m,
       bar_start(TIMESTAMP '1965-01-05 15:45:00', '1d') AS utc_1d_1965,
       bar_start(TIMESTAMP '2025-03-07 15:45:00', '1h', 'America/New_York', '09:30', '16:00') AS est_1h,
       bar_start(TIMESTAMP '2025-03-10 15:45:00', '1h', 'America/New_York', '09:30', '16:00') AS edt_1h,
       bar_start(TIMESTAMP '2025-03-10 13:29:59', '1h', 'America/New_York', '09:30', '16:00') AS before_open,
       bar_start(TIMESTAMP '2025-03-10 20:00:00', '1h', 'America/New_York', '09:30', '16:00') AS at_close,
       bar_start(TIMESTAMPTZ '2025-03-10 09:45:00-04', '30m', 'America/New_York', '09:30', '16:00') AS tz_input,
       utc_to_local(TIMESTAMP '2025-07-01 13:30', 'America/New_York') AS ny_local,
       local_to_utc(TIMESTAMP '2025-01-06 09:00', 'Asia/Tokyo') AS tokyo_utc,
       utc_timestamp(TIMESTAMPTZ '2025-01-06 09:30:00-05') AS from_tz,
       session_bar_local(TIMESTAMP '2025-01-06 10:45', '1h', '09:30', '16:00') AS local_bar,
       session_bar_local(TIMESTAMP '2025-01-06 16:00', '1h', '09:30', '16:00') AS local_at_close,
       interval_micros('5m') AS five_minutes_us,
       interval_micros(INTERVAL 1 DAY) AS one_day_us;
