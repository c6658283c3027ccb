-- the last quote per symbol, overall and as of 2025-03-10 17:30 (BBB then in its quiet spell)
SELECT 'all' AS cut, * FROM latest('quotes')
UNION ALL
SELECT 'as_of', * FROM latest('quotes', as_of := TIMESTAMP '2025-03-10 17:30')
ORDER BY cut, symbol;
