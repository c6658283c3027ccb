-- the tutorial's table as Glue crawled it from one JSON object per row: "index" and "date" are
-- text, names are quoted; the Athena query parses the dates in WHERE and GROUP BY
WITH stock_market_kafka AS (
    SELECT symbol AS "index", strftime(ts, '%Y-%m-%d') AS "date", open AS "open", close AS "close",
           adj_close AS "adj close", volume AS "volume"
    FROM bars)
SELECT "index",
       date_format(date_parse("date", '%Y-%m-%d'), '%Y-%m') AS "month",
       count(*) AS "days",
       max("adj close") AS "max adj close",
       sum(CASE WHEN day_of_week(from_iso8601_date("date")) = 1 THEN 1 ELSE 0 END) AS "mondays"
FROM stock_market_kafka
WHERE date_parse("date", '%Y-%m-%d') BETWEEN date_parse('2021-01-11', '%Y-%m-%d') AND date_parse('2021-02-12', '%Y-%m-%d')
  AND "index" IN ('NYA', 'N225')
GROUP BY 1, 2
ORDER BY 1, 2
LIMIT 10;
