// tests/support/fixtures: the plans under tests/fixtures/, loaded and typed.
#pragma once

#include "model/entities.hpp"

#include <filesystem>
#include <string>

namespace lorsync::test {

std::filesystem::path fixture_path(const std::string& name);  // tests/fixtures/NAME
std::filesystem::path source_path(const std::string& relative);  // a file of the source tree

// The fixture's model; fails the test if the fixture does not validate.
Model load_fixture(const std::string& name);

}  // namespace lorsync::test
