// A checker of Athena's CREATE EXTERNAL TABLE grammar, written from the Athena documentation
// ("CREATE TABLE" in the Athena SQL reference: column and partition lists, ROW FORMAT DELIMITED
// or SERDE with SERDEPROPERTIES, STORED AS a format or INPUTFORMAT/OUTPUTFORMAT, LOCATION,
// TBLPROPERTIES; Hive data types with array<>, map<,>, struct<:>). Independent of the exporter:
// it shares no code with it, so an export that breaks the grammar fails the test.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"

namespace ticklake::testing {

struct ParsedDdl {
    std::string database;
    std::string table;
    std::vector<std::pair<std::string, std::string>> columns;        //!< name, type text
    std::vector<std::pair<std::string, std::string>> partition_keys; //!< name, type text
    std::string serde;
    std::string stored_as; //!< PARQUET, TEXTFILE, ... or "INPUTFORMAT x OUTPUTFORMAT y"
    std::string location;
    std::map<std::string, std::string> serde_properties;
    std::map<std::string, std::string> table_properties;
};

Result<ParsedDdl> parse_create_external_table(std::string_view ddl);

} // namespace ticklake::testing
