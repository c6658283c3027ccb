"""Answers the demo's questions over the warehouse files with DuckDB.

Until `ticklake query` exists (issue #5) the demo reads the Parquet files directly, as
Athena would through the Glue catalog: Hive partitions, one glob per table.
"""
import sys

import duckdb

wh = sys.argv[1]
con = duckdb.connect()
con.execute("SET TimeZone = 'UTC'")
for table in ("bars", "trades", "quotes"):
    con.execute(f"CREATE VIEW {table} AS SELECT * FROM read_parquet('{wh}/market/{table}/*/*.parquet', "
                f"hive_partitioning = true)")


def show(title, sql):
    print(f"\n-- {title}\n{sql.strip()}")
    con.sql(sql).show(max_rows=20)


show("rows per index in the tutorial dataset",
     "SELECT symbol, count(*) AS bars, min(ts)::DATE AS first_day, max(ts)::DATE AS last_day "
     "FROM bars GROUP BY symbol ORDER BY bars DESC")
show("yearly OHLC of the NYSE Composite (NYA) from its daily bars, last 5 years",
     "SELECT year(ts) AS year, arg_min(open, ts) AS open, max(high) AS high, min(low) AS low, "
     "arg_max(close, ts) AS close FROM bars WHERE symbol = 'NYA' GROUP BY ALL ORDER BY year DESC LIMIT 5")
show("daily OHLC and VWAP per symbol from simulated trades (top 10 by volume)",
     "SELECT dt, symbol, arg_min(price, ts) AS open, max(price) AS high, min(price) AS low, "
     "arg_max(price, ts) AS close, sum(size)::BIGINT AS volume, round(sum(price * size) / sum(size), 4) AS vwap "
     "FROM trades GROUP BY ALL ORDER BY volume DESC LIMIT 10")
show("quoted spread by symbol in basis points (5 tightest)",
     "SELECT symbol, count(*) AS quotes, round(avg((ask - bid) / ((ask + bid) / 2)) * 1e4, 2) AS avg_spread_bps "
     "FROM quotes GROUP BY symbol ORDER BY avg_spread_bps LIMIT 5")
