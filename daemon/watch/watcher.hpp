// watch/watcher: notices, through inotify read by Asio (no polling), that the
// plan's files or its git repository changed outside the API (an editor, a
// script, the git CLI), and calls back once the changes have settled for the
// debounce time, so that an editor's write-rename-chmod dance is one event.
#pragma once

#include "common/diagnostic.hpp"

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>

namespace lorsync::watch {

class Watcher {
 public:
  // Watches the plan's folders and .git; `settled` runs on the I/O thread.
  static Result<std::shared_ptr<Watcher>> start(boost::asio::io_context& io, const std::filesystem::path& plan_root,
                                                std::chrono::milliseconds debounce, std::function<void()> settled);
  virtual ~Watcher() = default;
  virtual void set_debounce(std::chrono::milliseconds debounce) = 0;
  virtual void stop() = 0;
};

}  // namespace lorsync::watch
