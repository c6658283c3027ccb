// The aligned tables of the commands' human output now live in common/text_table.h, where the
// stages render them too; catalog_command.cc still prints through this name.
#pragma once

#include <cstdio>

#include "common/text_table.h"

namespace ticklake::cli {

class TextTable : public ticklake::TextTable {
public:
    using ticklake::TextTable::TextTable;
    void print() const { std::fputs(render().c_str(), stdout); }
};

} // namespace ticklake::cli
