CREATE EXTERNAL TABLE IF NOT EXISTS `default`.`index_processed` (
  `index` string,
  `date` date,
  `close` double
)
PARTITIONED BY (
  `partition_0` int,
  `partition_1` string
)
ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.OpenCSVSerde'
WITH SERDEPROPERTIES (
  'escapeChar'='\\',
  'quoteChar'='"',
  'separatorChar'=';'
)
STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
LOCATION 'file:///data/index_processed/'
TBLPROPERTIES (
  'classification'='csv',
  'projection.enabled'='true',
  'projection.partition_0.range'='2020,2021',
  'projection.partition_0.type'='integer',
  'projection.partition_1.type'='enum',
  'projection.partition_1.values'='HSI,NYA',
  'skip.header.line.count'='1',
  'storage.location.template'='file:///data/index_processed/${partition_0}/${partition_1}/'
);
