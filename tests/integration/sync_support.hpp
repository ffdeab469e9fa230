// tests/integration/sync_support: devices for sync tests — each a plan clone
// with its own device name, sharing one bare remote in a temp dir — and the
// checks every sync test makes (same trees, no conflict markers).
#pragma once

#include <catch2/catch.hpp>

#include "integration/programs.hpp"

#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace lorsync::test {

// A bare repository standing in for GitHub, a server or a USB disk.
struct BareRemote {
  TempDir dir;
  std::filesystem::path path = dir / "plan.git";
  BareRemote() {
    ProcessResult made = run_process({"git", "init", "-q", "--bare", "--initial-branch=main", path.string()});
    REQUIRE(made.exit_code == 0);
  }
};

// lorsync installed in a folder of its own (as in ~/.local/bin), run with a PATH that has that folder and the
// system's (git, sh) but no other lorsync.
struct InstalledLorsync {
  TempDir dir;
  std::filesystem::path binary = dir / "lorsync";
  InstalledLorsync() { std::filesystem::copy_file(LORSYNC_BINARY, binary); }
  // Moves the binary to `folder`, as a user who reinstalls lorsync elsewhere and deletes the old copy.
  void move_to(const std::filesystem::path& folder) {
    std::filesystem::rename(binary, folder / "lorsync");
    binary = folder / "lorsync";
  }
  std::map<std::string, std::string> env() const { return {{"PATH", binary.parent_path().string() + ":/usr/bin:/bin"}}; }
  ProcessResult run(std::vector<std::string> args, const std::string& device = "") const {
    args.insert(args.begin(), binary.string());
    std::map<std::string, std::string> vars = env();
    if (!device.empty()) vars["LORSYNC_DEVICE"] = device;
    return run_process(args, {}, vars);
  }
};

// PATH with the system's folders only: no lorsync anywhere on it.
inline const std::map<std::string, std::string> kPathWithoutLorsync = {{"PATH", "/usr/bin:/bin"}};

struct Device {
  std::string name;
  TempDir dir;
  std::filesystem::path plan = dir / "plan";

  explicit Device(std::string device_name) : name(std::move(device_name)) {}

  ProcessResult lorsync(std::vector<std::string> args) const {
    args.insert(args.begin(), {"--plan", plan.string()});
    return run_lorsync(args, {}, {{"LORSYNC_DEVICE", name}});
  }
  // Runs lorsync and requires success; returns stdout.
  std::string ok(std::vector<std::string> args) const {
    ProcessResult result = lorsync(args);
    INFO(name << ": lorsync " << args.front() << "\n" << result.out << result.err);
    REQUIRE(result.exit_code == 0);
    return result.out;
  }
  std::string git(std::vector<std::string> args) const {
    ProcessResult result = run_git(plan, args);
    INFO(name << ": git " << args.front() << "\n" << result.err);
    REQUIRE(result.exit_code == 0);
    return result.out;
  }
  std::string tree() const { return git({"rev-parse", "HEAD^{tree}"}).substr(0, 40); }
  std::string head() const { return git({"rev-parse", "HEAD"}).substr(0, 40); }
  std::string file(const std::string& path) const { return read_file(plan / path); }
};

// The first device: a sample plan pushed to `remote`.
inline void start_with_sample(const Device& device, const BareRemote& remote) {
  ProcessResult init = run_lorsync({"init", "--sample", device.plan.string()}, {}, {{"LORSYNC_DEVICE", device.name}});
  INFO(init.err);
  REQUIRE(init.exit_code == 0);
  device.ok({"remote", remote.path.string()});
  device.ok({"sync"});
}

// Another device set up from the remote, as a user would on a second machine.
inline void clone_to(const Device& device, const BareRemote& remote) {
  ProcessResult clone =
      run_lorsync({"clone", remote.path.string(), device.plan.string()}, {}, {{"LORSYNC_DEVICE", device.name}});
  INFO(clone.out << clone.err);
  REQUIRE(clone.exit_code == 0);
}

// Lines git (or a careless merge) would have left: there must never be any.
inline std::vector<std::string> conflict_markers(const std::filesystem::path& plan) {
  std::vector<std::string> found;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(plan)) {
    if (entry.path().string().find("/.git") != std::string::npos || !entry.is_regular_file()) continue;
    std::ifstream in(entry.path());
    std::string line;
    while (std::getline(in, line))
      if (line.starts_with("<<<<<<<") || line.starts_with(">>>>>>>") || line.starts_with("======="))
        found.push_back(entry.path().string() + ": " + line);
  }
  return found;
}

// Syncs every device in turn until all have the same commit (at most three rounds), then checks the trees.
inline void converge(const std::vector<const Device*>& devices) {
  for (int round = 0; round < 3; ++round) {
    for (const Device* device : devices) device->ok({"sync"});
    bool same = true;
    for (const Device* device : devices) same = same && device->head() == devices.front()->head();
    if (same) break;
  }
  for (const Device* device : devices) {
    CHECK(device->tree() == devices.front()->tree());
    CHECK(conflict_markers(device->plan).empty());
    CHECK(device->git({"status", "--porcelain"}).empty());
  }
}

}  // namespace lorsync::test
