CREATE EXTERNAL TABLE IF NOT EXISTS `shared`.`ftx_btc_perp` (
  `timestamp` timestamp,
  `open` double,
  `volume` double
)
ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.lazy.LazySimpleSerDe'
WITH SERDEPROPERTIES (
  'field.delim'='	',
  'serialization.format'='	'
)
STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION 'file:///data/shared/ftx_btc_perp/'
TBLPROPERTIES (
  'classification'='csv'
);
