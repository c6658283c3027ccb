-- json_extract_scalar returns scalars as text and NULL for objects, arrays, JSON null, missing
-- paths and text that is not JSON; json_parse/json_format; ISO day of week and day of year
WITH msg(j) AS (VALUES ('{"e":"trade","s":"BTCUSDT","p":"16800.5","q":0.25,"m":true,"n":null,"o":{"a":1},"l":[1,2,3],"key with space":"x"}'))
SELECT json_extract_scalar(j, '$.s') AS symbol,
       json_extract_scalar(j, '$.p') AS price_text,
       json_extract_scalar(j, '$.q') AS number,
       json_extract_scalar(j, '$.m') AS bool,
       json_extract_scalar(j, '$.n') AS json_null,
       json_extract_scalar(j, '$.o') AS object,
       json_extract_scalar(j, '$.o.a') AS nested,
       json_extract_scalar(j, '$.l') AS array,
       json_extract_scalar(j, '$.l[2]') AS element,
       json_extract_scalar(j, '$.missing') AS missing,
       json_extract_scalar(j, '$["key with space"]') AS bracket,
       json_extract_scalar('not json', '$.a') AS not_json,
       json_format(json_parse('{"a": [1, 2], "b": "c"}')) AS reformatted,
       day_of_week(DATE '2025-03-09') AS sunday,
       day_of_week(TIMESTAMP '2025-03-10 12:00') AS monday,
       day_of_year(DATE '2024-12-31') AS leap_day_of_year
FROM msg;
