-- ticklake market-data functions: DuckDB macros loaded into every query session.
--
-- Load order: this file first, then athena.sql. Plain SQL, no extension needed beyond the
-- ICU time zones built into DuckDB; the session should run with SET TimeZone = 'UTC'.
-- Conventions of the lake (docs/storage.md): `ts` is a plain TIMESTAMP holding UTC, trades have
-- `symbol, ts, price, size`, quotes `symbol, ts, bid, bid_size, ask, ask_size`, bars
-- `symbol, ts, open, high, low, close, volume, trade_count, vwap` with `ts` the bar start.
-- Table macros take a table, view or CTE name as text ('market.trades'), read through
-- query_table(). Every macro also accepts TIMESTAMP WITH TIME ZONE for `ts`.
-- Full reference with examples: docs/query-functions.md.

-- Helpers. Macros have no local variables, so repeated conversions get a name here.

-- utc_timestamp(ts): the instant as a plain UTC TIMESTAMP, from TIMESTAMP (already UTC) or
-- TIMESTAMPTZ alike (AT TIME ZONE would shift one of the two, epoch_us does not).
-- Example: utc_timestamp(TIMESTAMPTZ '2025-01-06 09:30:00-05') = TIMESTAMP '2025-01-06 14:30:00'
CREATE OR REPLACE MACRO utc_timestamp(ts) AS make_timestamp(epoch_us(ts));

-- utc_to_local(ts, tz): the wall-clock time in zone tz of the UTC instant ts (DST aware).
-- Example: utc_to_local(TIMESTAMP '2025-07-01 13:30', 'America/New_York') = TIMESTAMP '2025-07-01 09:30'
CREATE OR REPLACE MACRO utc_to_local(ts, tz) AS (utc_timestamp(ts) AT TIME ZONE 'UTC') AT TIME ZONE tz;

-- local_to_utc(local_ts, tz): the UTC instant (plain TIMESTAMP) of a wall-clock time in zone tz.
-- Example: local_to_utc(TIMESTAMP '2025-01-06 09:30', 'America/New_York') = TIMESTAMP '2025-01-06 14:30'
CREATE OR REPLACE MACRO local_to_utc(local_ts, tz) AS (local_ts AT TIME ZONE tz) AT TIME ZONE 'UTC';

-- Exchange calendars (common/exchange_calendar.h). The temporary tables ticklake_exchanges,
-- ticklake_exchange_hours (regular hours per era: Hong Kong's and Tokyo's reforms) and
-- ticklake_calendar_exceptions are generated from the C++ calendar when a session opens
-- (query/calendar_functions.cc): the weekly rule and the time zones are computed here, only
-- holidays, early closes and days with other hours are rows. Exchanges: XNYS (XNAS), XLON, XETR,
-- XTKS, XHKG, XSHG (the last three with a lunch break); dates from 2000 to 2050, those after an
-- exchange's last published holiday list follow its rules (provisional).

-- exchange_info(exchange): the calendar row of a MIC (struct: mic, tz, open_time, close_time,
-- break_start, break_end (today's lunch break, NULL without one), first_day, last_day,
-- last_confirmed_year); an unknown MIC is an error.
-- Example: exchange_info('XNYS').tz = 'America/New_York'
CREATE OR REPLACE MACRO exchange_info(exchange) AS
    (SELECT CASE WHEN x.tl_mic IS NULL
                 THEN error('unknown exchange ' || coalesce(q.tl_m, 'NULL') || '; known: '
                            || (SELECT string_agg(tl_mic, ', ') FROM ticklake_exchanges))
                 ELSE {'mic': x.tl_mic, 'tz': x.tl_tz, 'open_time': x.tl_open_time, 'close_time': x.tl_close_time,
                       'break_start': x.tl_break_start, 'break_end': x.tl_break_end, 'first_day': x.tl_first_day, 'last_day': x.tl_last_day,
                       'last_confirmed_year': x.tl_last_confirmed_year} END
     FROM (SELECT upper(exchange) AS tl_m) q LEFT JOIN ticklake_exchanges x ON x.tl_mic = q.tl_m);

-- ticklake_session(exchange, d): struct {trading, open, close, break_start, break_end} of local
-- date d (the break NULL on a day without one), the one lookup
-- behind the three functions below. Each macro reads the tables once: nested macro calls are
-- expanded and bound when created, so a lookup per call keeps the session start fast.
CREATE OR REPLACE MACRO ticklake_session(exchange, d) AS
    (SELECT CASE WHEN x.tl_mic IS NULL
                 THEN error('unknown exchange ' || coalesce(q.tl_m, 'NULL') || '; known: '
                            || (SELECT string_agg(tl_mic, ', ') FROM ticklake_exchanges))
                 WHEN q.tl_d < x.tl_first_day OR q.tl_d > x.tl_last_day THEN NULL
                 WHEN isodow(q.tl_d) > 5 OR (e.tl_day IS NOT NULL AND e.tl_close_time IS NULL)
                 THEN {'trading': false, 'open': NULL::TIMESTAMP, 'close': NULL::TIMESTAMP,
                       'break_start': NULL::TIMESTAMP, 'break_end': NULL::TIMESTAMP}
                 ELSE {'trading': true,
                       'open': local_to_utc(q.tl_d + coalesce(e.tl_open_time, h.tl_open_time), x.tl_tz),
                       'close': local_to_utc(q.tl_d + coalesce(e.tl_close_time, h.tl_close_time), x.tl_tz),
                       'break_start': local_to_utc(q.tl_d + CASE WHEN e.tl_day IS NULL THEN h.tl_break_start
                                                                 ELSE e.tl_break_start END, x.tl_tz),
                       'break_end': local_to_utc(q.tl_d + CASE WHEN e.tl_day IS NULL THEN h.tl_break_end
                                                               ELSE e.tl_break_end END, x.tl_tz)} END
     FROM (SELECT upper(exchange) AS tl_m, CAST(d AS DATE) AS tl_d) q
          LEFT JOIN ticklake_exchanges x ON x.tl_mic = q.tl_m
          LEFT JOIN ticklake_exchange_hours h ON h.tl_mic = q.tl_m AND q.tl_d BETWEEN h.tl_from AND h.tl_to
          LEFT JOIN ticklake_calendar_exceptions e ON e.tl_mic = q.tl_m AND e.tl_day = q.tl_d);

-- is_trading_day(exchange, d): whether the local date d is a session of the exchange (no
-- weekend, no holiday). NULL outside the calendar's years.
-- Example: is_trading_day('XNYS', DATE '2025-07-04') = false
CREATE OR REPLACE MACRO is_trading_day(exchange, d) AS ticklake_session(exchange, d).trading;

-- session_open(exchange, d) / session_close(exchange, d): the open and close (plain UTC
-- TIMESTAMP, like `ts`) of the session on local date d, with DST and early closes; NULL when d
-- does not trade.
-- Example: session_close('XNYS', DATE '2025-07-03') = TIMESTAMP '2025-07-03 17:00' (13:00 New York)
CREATE OR REPLACE MACRO session_open(exchange, d) AS ticklake_session(exchange, d).open;
CREATE OR REPLACE MACRO session_close(exchange, d) AS ticklake_session(exchange, d).close;

-- session_break_start(exchange, d) / session_break_end(exchange, d): the lunch break (plain UTC
-- TIMESTAMP) of the session on local date d: XTKS, XHKG and XSHG have one; NULL on a day
-- without one (other exchanges, half days) or that does not trade.
-- Example: session_break_start('XHKG', DATE '2025-07-02') = TIMESTAMP '2025-07-02 04:00' (12:00 Hong Kong)
CREATE OR REPLACE MACRO session_break_start(exchange, d) AS ticklake_session(exchange, d).break_start;
CREATE OR REPLACE MACRO session_break_end(exchange, d) AS ticklake_session(exchange, d).break_end;

-- interval_micros(iv): a bar length as microseconds; iv is an INTERVAL or text DuckDB casts to
-- one ('1s', '5m', '1h', '1d', '15 minutes'; 'm' is minutes). Months are not fixed lengths: refused.
-- Example: interval_micros('5m') = 300000000
CREATE OR REPLACE MACRO interval_micros(iv) AS
    CASE WHEN datepart('month', CAST(iv AS INTERVAL)) <> 0 OR CAST(iv AS INTERVAL) <= INTERVAL 0 SECOND
         THEN error('bar interval must be positive and at most days long, got ' || CAST(iv AS VARCHAR))
         ELSE CAST(epoch(CAST(iv AS INTERVAL)) * 1000000 AS BIGINT) END;

-- session_bar_local(local_ts, bar_interval, session_open, session_close): the local start of the
-- session bar holding the wall-clock time local_ts, or NULL outside [open, close). Bars start at
-- the open and every interval after it; the last one is cut at the close. Working on wall-clock
-- time is what keeps bars at 09:30, 10:30, ... on both sides of a DST change.
-- Example: session_bar_local(TIMESTAMP '2025-01-06 10:45', '1h', '09:30', '16:00') = TIMESTAMP '2025-01-06 10:30'
CREATE OR REPLACE MACRO session_bar_local(local_ts, bar_interval, session_open, session_close) AS
    CASE WHEN local_ts < CAST(local_ts AS DATE) + CAST(session_open AS TIME)
           OR local_ts >= CAST(local_ts AS DATE) + CAST(session_close AS TIME) THEN NULL
         ELSE CAST(local_ts AS DATE) + CAST(session_open AS TIME)
              + to_microseconds(((epoch_us(local_ts) - epoch_us(CAST(local_ts AS DATE) + CAST(session_open AS TIME)))
                                 // interval_micros(bar_interval)) * interval_micros(bar_interval))
    END;

-- bar_start(ts, bar_interval [, session_tz, session_open, session_close]): the start (plain UTC
-- TIMESTAMP) of the bar holding ts.
-- Without a session: bars are multiples of the interval since 1970-01-01 00:00 UTC, so any
-- interval dividing a day starts at UTC midnight (1h bars at 00:00, 01:00, ...).
-- With a session (IANA zone, local open and close times): the bars of session_bar_local, ts
-- outside the session gives NULL. Sessions crossing midnight are not supported.
-- Example: bar_start(TIMESTAMP '2025-01-06 15:45', '1h', 'America/New_York', '09:30', '16:00')
--          = TIMESTAMP '2025-01-06 15:30' (10:30 New York)
CREATE OR REPLACE MACRO bar_start(ts, bar_interval, session_tz := NULL, session_open := NULL, session_close := NULL) AS
    CASE WHEN session_tz IS NULL THEN
        -- floor to a multiple of the interval, exact in integers and right before 1970 too
        make_timestamp(epoch_us(ts) - (((epoch_us(ts) % interval_micros(bar_interval)) + interval_micros(bar_interval))
                                       % interval_micros(bar_interval)))
    ELSE
        local_to_utc(session_bar_local(utc_to_local(ts, session_tz), bar_interval, session_open, session_close), session_tz)
    END;

-- vwap(price, size): aggregate, volume-weighted average price sum(price*size)/sum(size);
-- NULL when the volume is 0 or there are no rows.
-- Example: SELECT symbol, vwap(price, size) FROM market.trades WHERE dt = '2025-01-06' GROUP BY symbol
CREATE OR REPLACE MACRO vwap(price, size) AS sum(price * size) / nullif(sum(size), 0);

-- simple_return(x, part, ord) / log_return(x, part, ord): window functions, the return from the
-- previous row of the same `part` (symbol) in `ord` (time) order: x/prev - 1 and ln(x/prev).
-- NULL on each symbol's first row.
-- Example: SELECT symbol, ts, close, log_return(close, symbol, ts) FROM market.bars
CREATE OR REPLACE MACRO simple_return(x, part, ord) AS x / lag(x) OVER (PARTITION BY part ORDER BY ord) - 1;
CREATE OR REPLACE MACRO log_return(x, part, ord) AS ln(x / lag(x) OVER (PARTITION BY part ORDER BY ord));

-- ohlcv(trades, bar_interval [, session_tz, session_open, session_close]): table macro, bars
-- from trades: symbol, ts (bar start, UTC), open, high, low, close, volume, trade_count, vwap,
-- one row per symbol and bar that has trades (see fill_bars for empty bars). Bars as bar_start
-- defines them; with a session, trades outside it are left out. Trades at the same µs are
-- ordered by price for open (lowest first) and close (highest last), so the result does not
-- depend on scan order.
-- Example: FROM ohlcv('market.trades', '5m')
--          FROM ohlcv('market.trades', '1h', 'America/New_York', '09:30', '16:00')
CREATE OR REPLACE MACRO ohlcv(trades, bar_interval, session_tz := NULL, session_open := NULL, session_close := NULL) AS TABLE
    -- Time zone conversions are the costly part (ICU): one per trade into local time, one per
    -- bar back to UTC, instead of bar_start's several per trade (a macro repeats its arguments).
    SELECT symbol,
           CASE WHEN session_tz IS NULL THEN bar_key ELSE local_to_utc(bar_key, session_tz) END AS ts,
           open, high, low, close, volume, trade_count, vwap
    FROM (SELECT symbol, bar_key,
                 arg_min(price, (trade_ts, price)) AS open,
                 max(price) AS high,
                 min(price) AS low,
                 arg_max(price, (trade_ts, price)) AS close,
                 sum(size) AS volume,
                 count(*) AS trade_count,
                 vwap(price, size) AS vwap
          FROM (SELECT symbol, price, size, trade_ts,
                       CASE WHEN session_tz IS NULL THEN bar_start(trade_ts, bar_interval)
                            ELSE session_bar_local(local_ts, bar_interval, session_open, session_close) END AS bar_key
                FROM (SELECT symbol, price, size, utc_timestamp(ts) AS trade_ts,
                             CASE WHEN session_tz IS NOT NULL THEN utc_to_local(ts, session_tz) END AS local_ts
                      FROM query_table(trades)))
          WHERE bar_key IS NOT NULL
          GROUP BY symbol, bar_key)
    ORDER BY symbol, ts;

-- ohlcv_us_equities(trades, bar_interval): ohlcv on the US equity regular session,
-- 09:30-16:00 America/New_York (holidays are simply days without trades).
-- Example: FROM ohlcv_us_equities('market.trades', '1h')   -- bars at 09:30, 10:30, ..., 15:30
CREATE OR REPLACE MACRO ohlcv_us_equities(trades, bar_interval) AS TABLE
    FROM ohlcv(trades, bar_interval, 'America/New_York', '09:30', '16:00');

-- fill_bars(bars, bar_interval [, method, session_tz, session_open, session_close]): table macro,
-- puts bars on a regular grid per symbol, from the symbol's first bar to its last, and fills
-- the bars that are missing. Input columns: symbol, ts (bar start), open, high, low, close,
-- volume, trade_count, vwap (what ohlcv returns, or the bars table). Output: the same plus
-- `filled` (true on a generated bar). Methods:
--   'none'     no generated bars: the input on the grid's columns, filled = false
--   'null'     generated bars with NULL prices and volume
--   'previous' (default) the last known close carried forward as open/high/low/close, volume 0
--   'linear'   the close interpolated in time between the known closes before and after, volume 0
-- The grid is UTC-aligned steps of the interval, or with a session the session's bars on each
-- local day that has a bar of any symbol in the input (the data is the calendar: weekends and
-- holidays are not invented). With an exchange (a MIC, see is_trading_day) the calendar is the
-- exchange's: the bars from each session's open to its close (early closes too) on every
-- trading day between a symbol's first and last bar, none in a lunch break (XTKS, XHKG, XSHG),
-- nothing on weekends and holidays, even when no symbol traded. Generated bars have trade_count 0 and vwap NULL.
-- Example: FROM fill_bars('minute_bars', '1m', 'linear')
--          FROM fill_bars('minute_bars', '1m', exchange := 'XNYS')
CREATE OR REPLACE MACRO fill_bars(bars, bar_interval, method := 'previous', session_tz := NULL, session_open := NULL, session_close := NULL, exchange := NULL) AS TABLE
    WITH input AS (
        SELECT symbol, utc_timestamp(ts) AS ts, open, high, low, close, volume, trade_count, vwap
        FROM query_table(bars)
        WHERE CASE WHEN method IN ('none', 'null', 'previous', 'linear') THEN true
                   ELSE CAST(error('fill_bars: method must be none, null, previous or linear, got ' || method) AS BOOLEAN) END),
    span AS (SELECT symbol, min(ts) AS first_ts, max(ts) AS last_ts FROM input GROUP BY symbol),
    session_days AS (SELECT DISTINCT CAST(utc_to_local(ts, session_tz) AS DATE) AS day
                     FROM input WHERE session_tz IS NOT NULL AND exchange IS NULL),
    session_grid AS (
        SELECT local_to_utc(unnest(range(day + CAST(session_open AS TIME), day + CAST(session_close AS TIME),
                                         CAST(bar_interval AS INTERVAL))), session_tz) AS ts
        FROM session_days),
    -- Exchange sessions: open and close in UTC, so the grid is a UTC range (no session here
    -- spans a DST change, which happens at night).
    exchange_days AS (
        SELECT CAST(unnest(range(CAST(utc_to_local(min(first_ts), exchange_info(exchange).tz) AS DATE),
                                 CAST(utc_to_local(max(last_ts), exchange_info(exchange).tz) AS DATE) + INTERVAL 1 DAY,
                                 INTERVAL 1 DAY)) AS DATE) AS day
        FROM span WHERE exchange IS NOT NULL),
    exchange_grid AS (
        SELECT ts FROM (
            SELECT unnest(range(s.open, s.close, CAST(bar_interval AS INTERVAL))) AS ts, s.break_start, s.break_end
            FROM (SELECT ticklake_session(exchange, day) AS s FROM exchange_days)
            WHERE s.trading)
        WHERE break_start IS NULL OR ts < break_start OR ts >= break_end),
    grid AS (
        SELECT symbol, unnest(range(first_ts, last_ts + INTERVAL 1 MICROSECOND,
                                    to_microseconds(interval_micros(bar_interval)))) AS ts
        FROM span WHERE session_tz IS NULL AND exchange IS NULL
        UNION ALL
        SELECT span.symbol, session_grid.ts FROM span JOIN session_grid
            ON session_grid.ts BETWEEN span.first_ts AND span.last_ts
        WHERE session_tz IS NOT NULL AND exchange IS NULL
        UNION ALL
        SELECT span.symbol, exchange_grid.ts FROM span JOIN exchange_grid
            ON exchange_grid.ts BETWEEN span.first_ts AND span.last_ts
        WHERE exchange IS NOT NULL),
    joined AS (
        SELECT grid.symbol, grid.ts, input.open, input.high, input.low, input.close, input.volume,
               input.trade_count, input.vwap, input.ts IS NULL AS filled
        FROM grid LEFT JOIN input ON input.symbol = grid.symbol AND input.ts = grid.ts),
    neighbours AS (
        SELECT *,
               last_value(close IGNORE NULLS) OVER before AS prev_close,
               last_value(CASE WHEN NOT filled THEN ts END IGNORE NULLS) OVER before AS prev_ts,
               first_value(close IGNORE NULLS) OVER after AS next_close,
               first_value(CASE WHEN NOT filled THEN ts END IGNORE NULLS) OVER after AS next_ts
        FROM joined
        WINDOW before AS (PARTITION BY symbol ORDER BY ts ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW),
               after AS (PARTITION BY symbol ORDER BY ts ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING)),
    filled AS (
        SELECT *,
               CASE method
                   WHEN 'previous' THEN prev_close
                   WHEN 'linear' THEN prev_close + (next_close - prev_close)
                        * (epoch_us(ts) - epoch_us(prev_ts)) / (epoch_us(next_ts) - epoch_us(prev_ts))
               END AS fill_price
        FROM neighbours)
    SELECT symbol, ts,
           CASE WHEN filled THEN fill_price ELSE open END AS open,
           CASE WHEN filled THEN fill_price ELSE high END AS high,
           CASE WHEN filled THEN fill_price ELSE low END AS low,
           CASE WHEN filled THEN fill_price ELSE close END AS close,
           CASE WHEN NOT filled THEN volume WHEN method <> 'null' THEN 0 END AS volume,
           CASE WHEN NOT filled THEN trade_count WHEN method <> 'null' THEN 0 END AS trade_count,
           CASE WHEN NOT filled THEN vwap END AS vwap,
           filled
    FROM filled
    WHERE method <> 'none' OR NOT filled
    ORDER BY symbol, ts;

-- ohlcv_filled(trades, bar_interval [, method, session_tz, session_open, session_close, exchange]):
-- ohlcv then fill_bars in one call (same arguments, same columns as fill_bars). An exchange
-- gives the session (its zone and regular hours) when none is given, and fills only inside
-- its sessions.
-- Example: FROM ohlcv_filled('market.trades', '1m', 'previous', 'America/New_York', '09:30', '16:00')
--          FROM ohlcv_filled('market.trades', '1m', exchange := 'XNYS')
CREATE OR REPLACE MACRO ohlcv_filled(trades, bar_interval, method := 'previous', session_tz := NULL, session_open := NULL, session_close := NULL, exchange := NULL) AS TABLE
    WITH ticklake_ohlcv_bars AS (
        FROM ohlcv(trades, bar_interval,
                   CASE WHEN exchange IS NULL OR session_tz IS NOT NULL THEN session_tz ELSE exchange_info(exchange).tz END,
                   CASE WHEN exchange IS NULL OR session_open IS NOT NULL THEN CAST(session_open AS TIME)
                        ELSE exchange_info(exchange).open_time END,
                   CASE WHEN exchange IS NULL OR session_close IS NOT NULL THEN CAST(session_close AS TIME)
                        ELSE exchange_info(exchange).close_time END))
    FROM fill_bars('ticklake_ohlcv_bars', bar_interval, method, session_tz, session_open, session_close, exchange);

-- returns(tbl [, value_col]): table macro, symbol, ts, value (the column value_col, default
-- 'close'; use 'price' for trades), simple_return and log_return per symbol in time order.
-- Example: FROM returns('market.bars') WHERE symbol = 'NYA'
CREATE OR REPLACE MACRO returns(tbl, value_col := 'close') AS TABLE
    SELECT symbol, ts, value,
           simple_return(value, symbol, ts) AS simple_return,
           log_return(value, symbol, ts) AS log_return
    FROM (SELECT symbol, utc_timestamp(ts) AS ts, COLUMNS(value_col) AS value FROM query_table(tbl))
    ORDER BY symbol, ts;

-- latest(tbl [, as_of]): table macro, the last row of each symbol (the row with the greatest ts,
-- at or before as_of when given), all columns. Rows tied on ts: one of them.
-- Example: FROM latest('market.quotes', as_of := TIMESTAMP '2025-01-06 15:00')
CREATE OR REPLACE MACRO latest(tbl, as_of := NULL) AS TABLE
    SELECT * FROM query_table(tbl)
    WHERE as_of IS NULL OR ts <= as_of
    QUALIFY row_number() OVER (PARTITION BY symbol ORDER BY ts DESC) = 1
    ORDER BY symbol;

-- asof_quotes(trades, quotes [, max_quote_age]): table macro, every trade (all its columns)
-- with the quote prevailing at its time: the latest quote of the same symbol at or before the
-- trade (a quote at the same µs counts): quote_ts, bid, bid_size, ask, ask_size, mid, spread.
-- The quote columns are NULL when there is no earlier quote, or when it is older than
-- max_quote_age (INTERVAL or text).
-- Example: FROM asof_quotes('market.trades', 'market.quotes', max_quote_age := '1s')
CREATE OR REPLACE MACRO asof_quotes(trades, quotes, max_quote_age := NULL) AS TABLE
    WITH j AS (
        SELECT t.*, q.ts AS ticklake_quote_ts, q.bid AS ticklake_bid, q.bid_size AS ticklake_bid_size,
               q.ask AS ticklake_ask, q.ask_size AS ticklake_ask_size,
               max_quote_age IS NULL OR t.ts - q.ts <= CAST(max_quote_age AS INTERVAL) AS ticklake_fresh
        FROM query_table(trades) t ASOF LEFT JOIN query_table(quotes) q
             ON t.symbol = q.symbol AND t.ts >= q.ts)
    SELECT * EXCLUDE (ticklake_quote_ts, ticklake_bid, ticklake_bid_size, ticklake_ask, ticklake_ask_size, ticklake_fresh),
           CASE WHEN ticklake_fresh THEN ticklake_quote_ts END AS quote_ts,
           CASE WHEN ticklake_fresh THEN ticklake_bid END AS bid,
           CASE WHEN ticklake_fresh THEN ticklake_bid_size END AS bid_size,
           CASE WHEN ticklake_fresh THEN ticklake_ask END AS ask,
           CASE WHEN ticklake_fresh THEN ticklake_ask_size END AS ask_size,
           CASE WHEN ticklake_fresh THEN (ticklake_bid + ticklake_ask) / 2 END AS mid,
           CASE WHEN ticklake_fresh THEN ticklake_ask - ticklake_bid END AS spread
    FROM j
    ORDER BY symbol, ts;
