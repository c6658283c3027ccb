-- element_at on arrays (1-based, negative from the end, out of range NULL) and maps, cardinality
-- of both, regexp_like (matches anywhere)
SELECT element_at([10, 20, 30], 1) AS first,
       element_at([10, 20, 30], -1) AS last,
       element_at([10, 20, 30], 4) AS past_end,
       element_at([10, 20, 30], -4) AS before_start,
       element_at(MAP {'bid': 99.5, 'ask': 100.0}, 'ask') AS map_hit,
       element_at(MAP {'bid': 99.5, 'ask': 100.0}, 'mid') AS map_miss,
       element_at(MAP {0: 'zero'}, 0) AS map_zero_key,
       element_at(string_split('AAPL.XNAS', '.'), 2) AS split_part2,
       cardinality([1, 2, 3]) AS array_len,
       cardinality([]::INTEGER[]) AS empty_len,
       cardinality(MAP {'a': 1, 'b': 2}) AS map_len,
       cardinality(string_split('a,b,c,d', ',')) AS split_len,
       regexp_like('BTC-USD', '^BTC') AS starts,
       regexp_like('ETH-BTC', 'BTC') AS anywhere,
       regexp_like('ETH-USD', '^BTC') AS no_match,
       regexp_like('AAPL', '(?i)^aapl$') AS case_flag;
