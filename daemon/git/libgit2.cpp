#include "git/libgit2.hpp"

#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>

namespace lorsync::libgit2 {
namespace {

// The library the headers lorsync was built with describe; another soname may have another ABI.
constexpr const char* kSoname = "libgit2.so." LIBGIT2_SOVERSION;

[[noreturn]] void cannot_load(const char* what) {
  const char* reason = dlerror();
  std::fprintf(stderr, "lorsync: cannot load %s from %s: %s\n", what, kSoname, reason ? reason : "no reason given");
  std::_Exit(127);
}

void* open_initialized() {
  void* library = dlopen(kSoname, RTLD_NOW | RTLD_LOCAL);
  if (!library) cannot_load("libgit2");
  auto init = reinterpret_cast<int (*)()>(dlsym(library, "git_libgit2_init"));
  auto opts = reinterpret_cast<int (*)(int, ...)>(dlsym(library, "git_libgit2_opts"));
  if (!init || !opts) cannot_load("libgit2's initialization");
  // A commit acknowledged to the user must survive a power cut.
  if (init() < 0 || opts(GIT_OPT_ENABLE_FSYNC_GITDIR, 1) < 0) {
    std::fprintf(stderr, "lorsync: libgit2 (%s) could not be initialized\n", kSoname);
    std::_Exit(127);
  }
  return library;
}

}  // namespace

void* function(const char* name) {
  static void* const library = open_initialized();
  void* address = dlsym(library, name);
  if (!address) cannot_load(name);
  return address;
}

}  // namespace lorsync::libgit2
