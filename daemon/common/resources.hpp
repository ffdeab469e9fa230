// common/resources: files compiled into the binaries (JSON Schemas, the sample plan, the API's
// OpenRPC document, the dashboard, the default email templates), so that an installed binary needs nothing beside it.
#pragma once

#include <string_view>
#include <vector>

namespace lorsync::resources {

struct EmbeddedFile {
  std::string_view path;  // relative to the folder it was embedded from
  std::string_view contents;
};

const std::vector<EmbeddedFile>& schemas();
const std::vector<EmbeddedFile>& sample_plan();
const std::vector<EmbeddedFile>& api_description();  // openrpc.json
const std::vector<EmbeddedFile>& dashboard();        // plugin/web/* and plugin/client/lorsync.js, served at /
const std::vector<EmbeddedFile>& draft_templates();  // daemon/draft/templates/*.txt, the default email wording

}  // namespace lorsync::resources
