-- column 'symbol' is 'symbol_2' here (SerDe mapping.symbol_2)
CREATE EXTERNAL TABLE IF NOT EXISTS `feeds`.`daily_prices` (
  `symbol` string,
  `symbol_2` string,
  `adj close` double,
  `ok` boolean
)
PARTITIONED BY (
  `month` string
)
ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe'
WITH SERDEPROPERTIES (
  'case.insensitive'='false',
  'ignore.malformed.json'='false',
  'mapping.adj close'='Adj Close',
  'mapping.symbol'='Symbol',
  'mapping.symbol_2'='symbol'
)
STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION 's3://b/feeds/daily_prices/'
TBLPROPERTIES (
  'classification'='json',
  'projection.enabled'='true',
  'projection.month.format'='yyyy-MM',
  'projection.month.interval'='1',
  'projection.month.interval.unit'='MONTHS',
  'projection.month.range'='2024-01,NOW',
  'projection.month.type'='date',
  'storage.location.template'='s3://b/feeds/daily_prices/month=${month}/'
);
