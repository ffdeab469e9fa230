#include "cli/output.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <streambuf>
#include <string_view>

namespace lorsync::cli {

int exit_code_for(const Error& error) {
  switch (error.code) {
    case ErrorCode::io:
    case ErrorCode::git:
    case ErrorCode::locked:
    case ErrorCode::remote: return kExitFailure;
    default: return kExitUsage;
  }
}

int report_error(const Error& error, bool json) {
  if (json) {
    nlohmann::json out = {{"code", error_code_name(error.code)},
                          {"message", error.message},
                          {"diagnostics", error.diagnostics}};
    if (error.remote_failure != RemoteFailure::none) out["failure"] = remote_failure_name(error.remote_failure);
    print_json({{"error", out}});
  } else {
    std::cerr << "lorsync: " << error.message << "\n";
    for (const auto& d : error.diagnostics) std::cerr << "  " << format_diagnostic(d) << "\n";
  }
  return exit_code_for(error);
}

// A file name need not be UTF-8; JSON must be: such bytes become U+FFFD rather than fail the whole answer.
void print_json(const nlohmann::json& value) {
  std::cout << value.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
}

bool colour_on_stdout() {
  const char* term = std::getenv("TERM");
  const char* no_color = std::getenv("NO_COLOR");
  return ::isatty(1) && !(no_color && *no_color) && !(term && std::string_view(term) == "dumb");
}

namespace {

// Passes text to `target`, writing control characters as visible escapes. An ESC starts a sequence that is
// held back until it is known to be one of lorsync's colours (SGR with the codes below) or not.
class ControlFilter : public std::streambuf {
 public:
  ControlFilter(std::streambuf* target, bool colours) : target_(target), colours_(colours) {}
  ~ControlFilter() override { release(); }

 protected:
  int_type overflow(int_type ch) override {
    if (traits_type::eq_int_type(ch, traits_type::eof())) return traits_type::not_eof(ch);
    put(static_cast<unsigned char>(traits_type::to_char_type(ch)));
    return ch;
  }
  std::streamsize xsputn(const char* text, std::streamsize count) override {
    for (std::streamsize i = 0; i < count; ++i) put(static_cast<unsigned char>(text[i]));
    return count;
  }
  int sync() override {
    release();
    return target_->pubsync();
  }

 private:
  static constexpr size_t kLongestColour = 8;  // "\x1b[1;31m"

  void put(unsigned char c) {
    if (!held_.empty()) {
      held_ += static_cast<char>(c);
      if (held_[0] == '\x1b') settle_sequence();
      else settle_c1();
      return;
    }
    if (c == '\x1b' || c == 0xc2) {  // ESC, or the first byte of a UTF-8 C1 control (U+0080-U+009F)
      held_ = static_cast<char>(c);
      return;
    }
    if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) return visible(c);
    target_->sputc(static_cast<char>(c));
  }

  // ESC [ codes m with codes from lorsync's palette goes through; anything else is shown.
  void settle_sequence() {
    const char last = held_.back();
    if (held_.size() == 2) {
      if (last != '[' || !colours_) return reject();
      return;
    }
    if (last == 'm') {
      std::string_view codes(held_.data() + 2, held_.size() - 3);
      bool ours = true;
      for (size_t start = 0; start <= codes.size();) {
        size_t end = std::min(codes.find(';', start), codes.size());
        std::string_view code = codes.substr(start, end - start);
        ours = ours && (code == "0" || code == "1" || code == "2" || code == "31" || code == "32" ||
                        code == "33" || code == "36");
        start = end + 1;
      }
      if (!ours) return reject();
      target_->sputn(held_.data(), static_cast<std::streamsize>(held_.size()));
      held_.clear();
      return;
    }
    if ((last < '0' || last > '9') && last != ';') return reject();
    if (held_.size() >= kLongestColour) return reject();
  }

  void settle_c1() {
    const unsigned char second = static_cast<unsigned char>(held_[1]);
    if (second >= 0x80 && second <= 0x9f) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\u%04x", second);
      target_->sputn(escaped, static_cast<std::streamsize>(std::strlen(escaped)));
      held_.clear();
    } else {
      std::string rest = held_.substr(1);
      target_->sputc(held_[0]);
      held_.clear();
      for (char c : rest) put(static_cast<unsigned char>(c));
    }
  }

  // The held ESC is shown, and what followed it is written as text (filtered in its turn).
  void reject() {
    std::string rest = held_.substr(1);
    held_.clear();
    visible('\x1b');
    for (char c : rest) put(static_cast<unsigned char>(c));
  }

  void visible(unsigned char c) {
    char escaped[8];
    std::snprintf(escaped, sizeof escaped, "\\x%02x", c);
    target_->sputn(escaped, 4);
  }

  // At a flush or the end, what is held is not a colour: show it.
  void release() {
    while (!held_.empty()) {
      if (held_[0] == '\x1b') reject();
      else {
        target_->sputc(held_[0]);
        std::string rest = held_.substr(1);
        held_.clear();
        for (char c : rest) put(static_cast<unsigned char>(c));
      }
    }
  }

  std::streambuf* target_;
  bool colours_;
  std::string held_;
};

}  // namespace

struct TerminalGuard::Filters {
  std::streambuf* out_target = std::cout.rdbuf();
  std::streambuf* err_target = std::cerr.rdbuf();
  ControlFilter out{out_target, colour_on_stdout()};
  ControlFilter err{err_target, false};
};

TerminalGuard::TerminalGuard() : filters_(std::make_unique<Filters>()) {
  std::cout.rdbuf(&filters_->out);
  std::cerr.rdbuf(&filters_->err);
}

TerminalGuard::~TerminalGuard() {
  std::cout.flush();
  std::cerr.flush();
  std::cout.rdbuf(filters_->out_target);
  std::cerr.rdbuf(filters_->err_target);
}

}  // namespace lorsync::cli
