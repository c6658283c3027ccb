// Picks the live source of a vendor name (`ticklake produce --source NAME`) and finds its
// credentials in the environment.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/error.h"
#include "sources/live/stream_protocol.h"
#include "sources/market_data_source.h"

namespace ticklake {

//! The vendor names, in the order of docs/sources.md.
const std::vector<std::string>& live_vendor_names();
bool is_live_vendor(const std::string& name);

//! Fills options.key / options.secret from the vendor's environment variables
//! (FINNHUB_API_KEY, APCA_API_KEY_ID + APCA_API_SECRET_KEY, POLYGON_API_KEY,
//! ALPHAVANTAGE_API_KEY). Missing ones are an invalid_argument that names the variable.
Status credentials_from_env(LiveSourceOptions& options);

//! Validates the options and builds the source (no connection yet: that happens on the first
//! next_batch, so configuration errors come before any network traffic).
Result<std::unique_ptr<MarketDataSource>> open_live_source(const LiveSourceOptions& options);

} // namespace ticklake
