// common/resources: files compiled into the binaries (JSON Schemas, the sample plan).
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

}  // namespace lorsync::resources
