-- ticklake Athena/Trino compatibility: the functions people paste from Athena (engine v3, i.e.
-- Trino), as DuckDB macros where DuckDB lacks them or gives other answers.
--
-- Loaded after market.sql (it does not depend on it), in a session with SET TimeZone = 'UTC'
-- (Trino resolves zone-less values in the session zone; Athena's is UTC).
-- A macro in the default schema hides a built-in of the same name for every argument list
-- (it cannot overload it), so a macro is defined here only where DuckDB's built-in is missing
-- or differs from Trino, and then it keeps the built-in's own argument lists working too
-- (date_add, element_at, cardinality). Remaining differences from Trino are noted per macro
-- and in docs/query-functions.md.
-- Checked and deliberately NOT redefined, because DuckDB already matches Trino: date_trunc,
-- regexp_extract, regexp_replace, strpos, split_part, split, json_extract (returns JSON),
-- json_array_length, count_if, max_by, min_by, arbitrary, contains, if, try.

-- mysql_time_format(fmt, parsing): translates a Trino/MySQL date_format/date_parse format into
-- DuckDB's strftime/strptime format. The format is cut into tokens (a % and the next character,
-- or a run of other characters) so that '%%' and literal text are never rewritten by mistake.
-- Trino refuses %D %U %u %V %w %X: date_parse and date_format check for them first
-- (unsupported_mysql_specifier), because an error() call here would stop DuckDB from folding the
-- translated format into the constant strptime/strftime need. Any other unknown %x is the literal
-- x, as in Trino. Parsing uses %n for %f (Trino reads 1 to 9 fraction
-- digits) and DuckDB's strptime accepts one-digit fields for %m %d %H %I, so %c %e %k %l need
-- no special parsing form.
-- Example: mysql_time_format('%Y-%m-%d %H:%i:%s', false) = '%Y-%m-%d %H:%M:%S'
CREATE OR REPLACE MACRO mysql_time_format(fmt, parsing) AS
    array_to_string(list_transform(regexp_extract_all(fmt, '%.?|[^%]+'), lambda tok:
        CASE tok
            WHEN '%a' THEN '%a'   -- Sun..Sat
            WHEN '%b' THEN '%b'   -- Jan..Dec
            WHEN '%c' THEN CASE WHEN parsing THEN '%m' ELSE '%-m' END   -- month 1..12
            WHEN '%d' THEN '%d'
            WHEN '%e' THEN CASE WHEN parsing THEN '%d' ELSE '%-d' END   -- day 1..31
            WHEN '%f' THEN CASE WHEN parsing THEN '%n' ELSE '%f' END    -- fraction, 6 digits
            WHEN '%H' THEN '%H'
            WHEN '%h' THEN '%I'
            WHEN '%I' THEN '%I'
            WHEN '%i' THEN '%M'   -- minutes
            WHEN '%j' THEN '%j'
            WHEN '%k' THEN CASE WHEN parsing THEN '%H' ELSE '%-H' END   -- hour 0..23
            WHEN '%l' THEN CASE WHEN parsing THEN '%I' ELSE '%-I' END   -- hour 1..12
            WHEN '%M' THEN '%B'   -- January..December
            WHEN '%m' THEN '%m'
            WHEN '%p' THEN '%p'
            WHEN '%r' THEN '%I:%M:%S %p'
            WHEN '%S' THEN '%S'
            WHEN '%s' THEN '%S'
            WHEN '%T' THEN '%H:%M:%S'
            WHEN '%v' THEN '%V'   -- ISO week, with %x
            WHEN '%W' THEN '%A'   -- Sunday..Saturday
            WHEN '%x' THEN '%G'   -- ISO week-year, with %v
            WHEN '%Y' THEN '%Y'
            WHEN '%y' THEN '%y'
            WHEN '%%' THEN '%%'
            WHEN '%' THEN '%%'
            ELSE CASE WHEN starts_with(tok, '%') THEN substr(tok, 2) ELSE replace(tok, '%', '%%') END
        END), '');

-- unsupported_mysql_specifier(fmt): the first specifier of fmt that Trino refuses, or NULL.
CREATE OR REPLACE MACRO unsupported_mysql_specifier(fmt) AS
    list_filter(regexp_extract_all(fmt, '%.?|[^%]+'), lambda tok: tok IN ('%D', '%U', '%u', '%V', '%w', '%X'))[1];

-- two_digit_year_as_trino(ts, fmt): for date_parse, moves 1969 to 2069 when fmt reads a
-- two-digit year (%y): Trino reads 00..69 as 20xx, DuckDB 00..68. Only 69 differs.
CREATE OR REPLACE MACRO two_digit_year_as_trino(ts, fmt) AS
    CASE WHEN list_contains(regexp_extract_all(fmt, '%.?|[^%]+'), '%y') AND year(ts) = 1969
         THEN ts + INTERVAL 100 YEAR ELSE ts END;

-- date_parse(string, format) -> TIMESTAMP: parses with a MySQL-style format (mysql_time_format).
-- Two-digit years (%y) read as 1970..2069 like Trino (DuckDB alone reads 69 as 1969).
-- The CASE on a NULL format is what lets CREATE MACRO accept a computed format: DuckDB checks
-- strptime's format for constness when it creates the macro, with NULL for the parameters.
-- The result is always a TIMESTAMP (µs): strptime returns TIMESTAMP_NS for %n, digits below the
-- microsecond are dropped.
-- Differences: the format must be a constant (DuckDB's strptime); the result keeps
-- microseconds (Trino's is timestamp(3): it drops digits below the millisecond).
-- The input is cast to text first: the crawler types ISO date strings as DATE (Glue leaves
-- them strings), and a query pasted from Athena still calls date_parse on them.
-- Example: date_parse('2025-01-06 14:30:00', '%Y-%m-%d %H:%i:%s') = TIMESTAMP '2025-01-06 14:30:00'
CREATE OR REPLACE MACRO date_parse(str, fmt) AS
    CASE WHEN unsupported_mysql_specifier(fmt) IS NOT NULL
         THEN error('date_parse: format specifier ' || unsupported_mysql_specifier(fmt) || ' is not supported (as in Trino)')
         ELSE two_digit_year_as_trino(CAST(strptime(CAST(str AS VARCHAR), CASE WHEN fmt IS NULL THEN NULL ELSE mysql_time_format(fmt, true) END) AS TIMESTAMP), fmt)
    END;

-- date_format(timestamp, format) -> VARCHAR: formats with a MySQL-style format.
-- Differences: the format must be a constant; a TIMESTAMP WITH TIME ZONE is shown in the
-- session zone (Trino: in the value's own zone), identical under TimeZone = 'UTC'.
-- Example: date_format(TIMESTAMP '2025-01-06 14:30:00', '%W %e %M %Y %r') = 'Monday 6 January 2025 02:30:00 PM'
CREATE OR REPLACE MACRO date_format(ts, fmt) AS
    CASE WHEN unsupported_mysql_specifier(fmt) IS NOT NULL
         THEN error('date_format: format specifier ' || unsupported_mysql_specifier(fmt) || ' is not supported (as in Trino)')
         ELSE strftime(ts, mysql_time_format(fmt, false))
    END;

-- from_iso8601_timestamp(string) -> TIMESTAMP WITH TIME ZONE: ISO 8601 date or date-time,
-- 'T' or space, optional fraction and zone ('Z', '+01:00'); no zone means the session zone.
-- Times without seconds ('2020-05-11T11', '2020-05-11T11:15Z') are accepted as in Trino.
-- Differences: keeps microseconds (Trino: milliseconds); the zone of the text is not kept, the
-- instant is shown in the session zone; reduced forms ('2020-05', week dates) are refused.
-- Example: from_iso8601_timestamp('2025-01-06T09:30:00-05:00') = TIMESTAMPTZ '2025-01-06 14:30:00+00'
CREATE OR REPLACE MACRO from_iso8601_timestamp(str) AS
    CAST(regexp_replace(regexp_replace(str,
             '^(\d{4}-\d{2}-\d{2}[T ]\d{2})(Z|[+-]\d{2}(:?\d{2})?)?$', '\1:00:00\2'),
             '^(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2})(Z|[+-]\d{2}(:?\d{2})?)?$', '\1:00\2') AS TIMESTAMPTZ);

-- from_iso8601_date(string) -> DATE. Example: from_iso8601_date('2025-01-06') = DATE '2025-01-06'
CREATE OR REPLACE MACRO from_iso8601_date(str) AS CAST(str AS DATE);

-- to_iso8601(x) -> VARCHAR: ISO 8601 text of a DATE, TIMESTAMP or TIMESTAMPTZ. Plain timestamps
-- get no zone, instants end in 'Z' (the UTC session), both with milliseconds like Trino.
-- Example: to_iso8601(TIMESTAMP '2025-01-06 14:30:00') = '2025-01-06T14:30:00.000'
CREATE OR REPLACE MACRO to_iso8601(x) AS
    CASE WHEN typeof(x) = 'DATE' THEN strftime(x, '%Y-%m-%d')
         WHEN typeof(x) LIKE 'TIMESTAMP WITH TIME ZONE' THEN strftime(make_timestamp(epoch_us(x)), '%Y-%m-%dT%H:%M:%S.%gZ')
         ELSE strftime(x, '%Y-%m-%dT%H:%M:%S.%g') END;

-- from_unixtime(seconds [, zone | hours, minutes]): seconds since 1970-01-01 UTC (fractions
-- allowed) as an instant, TIMESTAMP WITH TIME ZONE, like Trino. With a zone, or an offset in
-- hours and minutes, the wall-clock time there as a plain TIMESTAMP (DuckDB values carry no
-- zone, and the wall clock is what hour(), date_format() etc. must see).
-- Difference: microsecond precision (Trino: milliseconds).
-- Example: from_unixtime(1736173800) = TIMESTAMPTZ '2025-01-06 14:30:00+00'
--          from_unixtime(1736173800, 'America/New_York') = TIMESTAMP '2025-01-06 09:30:00'
CREATE OR REPLACE MACRO from_unixtime(secs) AS to_timestamp(secs),
    (secs, zone) AS to_timestamp(secs) AT TIME ZONE zone,
    (secs, hours, minutes) AS make_timestamp(epoch_us(to_timestamp(secs))) + to_hours(hours) + to_minutes(minutes);

-- to_unixtime(timestamp) -> DOUBLE: seconds since 1970-01-01 UTC; a plain TIMESTAMP is taken as
-- UTC (our lake's convention, and Trino's under a UTC session).
-- Example: to_unixtime(TIMESTAMP '2025-01-06 14:30:00') = 1736173800.0
CREATE OR REPLACE MACRO to_unixtime(ts) AS epoch(ts);

-- date_diff(unit, a, b) -> BIGINT: b - a in whole units (millisecond, second, minute, hour, day,
-- week, month, quarter, year), counting only complete units like Trino:
-- date_diff('day', 2020-01-01 23:00, 2020-01-02 01:00) = 0.
-- DuckDB's own date_diff counts unit boundaries crossed instead (= 1 there), so this macro
-- replaces it for Athena queries; DuckDB's boundary count stays available as datediff().
-- Example: date_diff('hour', TIMESTAMP '2025-01-06 09:30', TIMESTAMP '2025-01-06 16:00') = 6
CREATE OR REPLACE MACRO date_diff(unit, a, b) AS date_sub(unit, a, b);

-- date_add(unit, n, x): x plus n units (millisecond, second, minute, hour, day, week, month,
-- quarter, year; negative n subtracts). Months clamp to the month's end like Trino
-- (2020-01-31 + 1 month = 2020-02-29). DuckDB's own date_add(date, interval) still works.
-- Difference: a DATE input gives a TIMESTAMP at midnight (Trino: a DATE); compare or CAST.
-- Example: date_add('day', -1, TIMESTAMP '2025-01-06 14:30') = TIMESTAMP '2025-01-05 14:30'
CREATE OR REPLACE MACRO date_add(x, iv) AS x + iv,
    (unit, n, x) AS x + CASE lower(unit)
        WHEN 'millisecond' THEN to_milliseconds(n)
        WHEN 'second' THEN to_seconds(n)
        WHEN 'minute' THEN to_minutes(n)
        WHEN 'hour' THEN to_hours(n)
        WHEN 'day' THEN to_days(n)
        WHEN 'week' THEN to_weeks(n)
        WHEN 'month' THEN to_months(n)
        WHEN 'quarter' THEN to_months(3 * n)
        WHEN 'year' THEN to_years(n)
        ELSE error('date_add: unknown unit ' || unit) END;

-- approx_percentile(x, p) -> aggregate: approximate p-quantile (p in [0, 1], or an array of
-- them giving an array), DuckDB's t-digest approx_quantile.
-- Differences: the estimate differs from Trino's q-digest in the last digits on large inputs;
-- the weighted forms approx_percentile(x, w, p) and the accuracy argument are not provided.
-- Example: SELECT symbol, approx_percentile(price, 0.5) FROM market.trades GROUP BY symbol
CREATE OR REPLACE MACRO approx_percentile(x, p) AS approx_quantile(x, p);

-- approx_distinct(x [, max_standard_error]) -> aggregate BIGINT: number of distinct non-NULL x.
-- Computed exactly (count(DISTINCT x)): DuckDB 1.4's approx_count_distinct was measured 25% off
-- on 1,000 integers and 20% off on 1M doubles, far outside Trino's 2.3% standard error, and an
-- exact count is within any error bound. Costs memory for the distinct values; DuckDB's
-- sketch stays available as approx_count_distinct. The error argument is accepted and ignored.
-- Example: SELECT approx_distinct(symbol) FROM market.trades
CREATE OR REPLACE MACRO approx_distinct(x) AS count(DISTINCT x),
    (x, max_standard_error) AS count(DISTINCT x);

-- regexp_like(string, pattern) -> BOOLEAN: true when the pattern matches anywhere in the string.
-- Difference: RE2 syntax (no look-around or back-references, which Trino's Java/Joni allow).
-- Example: regexp_like('BTC-USD', '^BTC') = true
CREATE OR REPLACE MACRO regexp_like(str, pattern) AS regexp_matches(str, pattern);

-- element_at(array, index) / element_at(map, key): 1-based array element, a negative index counts
-- from the end, out of range gives NULL; for a map the value under key, or NULL. Index 0 on an
-- array is an error, as in Trino.
-- Example: element_at(ARRAY[10, 20, 30], -1) = 30; element_at(MAP {'a': 1}, 'a') = 1
CREATE OR REPLACE MACRO element_at(x, k) AS
    CASE WHEN typeof(x) NOT LIKE 'MAP(%' AND CAST(k AS VARCHAR) = '0'
         THEN error('element_at: SQL array indices start at 1')
         ELSE x[k] END;

-- cardinality(x) -> BIGINT: number of elements of an array, or of entries of a map.
-- DuckDB's cardinality accepts maps only and a macro cannot dispatch on the type at bind time,
-- so the count is taken from the JSON form, which both arrays and maps have.
-- Example: cardinality(ARRAY[1, 2, 3]) = 3; cardinality(MAP {'a': 1, 'b': 2}) = 2
CREATE OR REPLACE MACRO cardinality(x) AS
    CASE WHEN typeof(x) LIKE 'MAP(%' THEN CAST(len(json_keys(to_json(x))) AS BIGINT)
         ELSE CAST(json_array_length(to_json(x)) AS BIGINT) END;

-- json_extract_scalar(json, path) -> VARCHAR: the scalar (string, number, boolean) at a JSONPath
-- as text; NULL for objects, arrays, JSON null, a missing path or text that is not JSON (Trino
-- returns NULL there too; DuckDB's json_extract_string would return the object's text or fail).
-- The bracket form $["key"] is rewritten to DuckDB's $."key".
-- Difference: numbers come back as written in the JSON text (Trino normalizes some, e.g. 1e2).
-- Example: json_extract_scalar('{"px": 101.5, "sym": "AAPL"}', '$.sym') = 'AAPL'
CREATE OR REPLACE MACRO json_extract_scalar(json, path) AS
    CASE WHEN json_valid(json)
              AND json_type(json, regexp_replace(path, '\["([^"]*)"\]', '."\1"', 'g')) NOT IN ('OBJECT', 'ARRAY', 'NULL')
         THEN json_extract_string(json, regexp_replace(path, '\["([^"]*)"\]', '."\1"', 'g')) END;

-- json_parse(string) -> JSON, json_format(json) -> VARCHAR: Trino's names for DuckDB's casts.
-- Example: json_format(json_parse('{"a": 1}')) = '{"a":1}'
CREATE OR REPLACE MACRO json_parse(str) AS json(str);
CREATE OR REPLACE MACRO json_format(j) AS CAST(json(j) AS VARCHAR);

-- day_of_week(x) -> ISO day of week, Monday = 1 .. Sunday = 7 (DuckDB's dayofweek has Sunday = 0);
-- day_of_year(x) -> 1..366. Example: day_of_week(DATE '2025-01-06') = 1
CREATE OR REPLACE MACRO day_of_week(x) AS isodow(x);
CREATE OR REPLACE MACRO day_of_year(x) AS dayofyear(x);

-- Smaller Trino functions that DuckDB has under other names (same semantics unless noted).

-- array_join(array, delimiter [, null_replacement]) -> VARCHAR: elements joined by delimiter;
-- NULL elements skipped, or replaced when null_replacement is given. The delimiter must be a
-- constant (DuckDB's string_agg); the CASE on NULL lets CREATE MACRO accept it (see date_parse).
-- Example: array_join(ARRAY['a', NULL, 'c'], ',', '?') = 'a,?,c'
CREATE OR REPLACE MACRO array_join(arr, delimiter) AS
        array_to_string(arr, CASE WHEN delimiter IS NULL THEN NULL ELSE delimiter END),
    (arr, delimiter, null_replacement) AS
        array_to_string(list_transform(arr, lambda e: coalesce(CAST(e AS VARCHAR), null_replacement)),
                        CASE WHEN delimiter IS NULL THEN NULL ELSE delimiter END);

-- date(x) -> DATE: the date part (CAST(x AS DATE)). Example: date('2025-01-06') = DATE '2025-01-06'
CREATE OR REPLACE MACRO date(x) AS CAST(x AS DATE);

-- last_day_of_month(x) -> DATE. Example: last_day_of_month(DATE '2024-02-10') = DATE '2024-02-29'
CREATE OR REPLACE MACRO last_day_of_month(x) AS last_day(x);

-- is_nan, is_finite, is_infinite, nan(), infinity(): IEEE 754 checks and values.
-- Example: is_nan(nan()) = true; is_finite(infinity()) = false
CREATE OR REPLACE MACRO is_nan(x) AS isnan(x);
CREATE OR REPLACE MACRO is_finite(x) AS isfinite(x);
CREATE OR REPLACE MACRO is_infinite(x) AS isinf(x);
CREATE OR REPLACE MACRO nan() AS CAST('NaN' AS DOUBLE);
CREATE OR REPLACE MACRO infinity() AS CAST('Infinity' AS DOUBLE);

-- current_timezone() -> VARCHAR: the session zone ('UTC' in ticklake).
CREATE OR REPLACE MACRO current_timezone() AS current_setting('TimeZone');

-- regexp_count(string, pattern) -> BIGINT: number of matches; regexp_split(string, pattern) ->
-- array of the pieces between matches. RE2 syntax, as regexp_like.
-- Example: regexp_count('a1b22c333', '[0-9]+') = 3; regexp_split('a1b22c', '[0-9]+') = ['a', 'b', 'c']
CREATE OR REPLACE MACRO regexp_count(str, pattern) AS CAST(len(regexp_extract_all(str, pattern)) AS BIGINT);
CREATE OR REPLACE MACRO regexp_split(str, pattern) AS string_split_regex(str, pattern);

-- truncate(x) -> the number without its fraction, toward zero. Example: truncate(-2.7) = -2.0
CREATE OR REPLACE MACRO truncate(x) AS trunc(x);
