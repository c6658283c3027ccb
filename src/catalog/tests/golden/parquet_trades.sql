CREATE EXTERNAL TABLE IF NOT EXISTS `market`.`trades` (
  `id` string,
  `symbol` string,
  `ts` timestamp,
  `price` double,
  `size` double,
  `tags` array<string>,
  `q` struct<bid:double,ask:double>,
  `m` map<string,bigint>,
  `amount` decimal(18,3)
)
PARTITIONED BY (
  `dt` string
)
ROW FORMAT SERDE 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe'
STORED AS INPUTFORMAT 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat'
LOCATION 's3://lake-bucket/wh/market/trades/'
TBLPROPERTIES (
  'classification'='parquet',
  'parquet.compression'='ZSTD',
  'projection.dt.format'='yyyy-MM-dd',
  'projection.dt.interval'='1',
  'projection.dt.interval.unit'='DAYS',
  'projection.dt.range'='2025-01-06,NOW',
  'projection.dt.type'='date',
  'projection.enabled'='true',
  'storage.location.template'='s3://lake-bucket/wh/market/trades/dt=${dt}/'
);
