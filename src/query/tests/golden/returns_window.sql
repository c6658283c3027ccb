-- the window forms on trades, per symbol in time order
SELECT t.symbol, t.ts, t.price,
       simple_return(t.price, t.symbol, t.ts) AS simple_return,
       log_return(t.price, t.symbol, t.ts) AS log_return
FROM trades t WHERE t.symbol = 'BBB' ORDER BY t.symbol, t.ts;
