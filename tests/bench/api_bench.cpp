// scripts/bench, second table: lorsyncd over real sockets, each figure next to
// a baseline measured in the same run: a bare Beast WebSocket server (in a
// child process, one I/O thread like the daemon) that answers every message
// with a canned reply as large as the daemon's, and the git CLI committing
// the same kind of change.
#include "client/rpc_client.hpp"
#include "support/daemon.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <sstream>
#include <thread>

using namespace lorsync;
using namespace lorsync::test;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using nlohmann::json;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

namespace {

double ms_since(Clock::time_point start) { return std::chrono::duration<double, std::milli>(Clock::now() - start).count(); }

double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  size_t index = std::min(values.size() - 1, static_cast<size_t>(p * static_cast<double>(values.size())));
  return values[index];
}

// ---- the baseline: a bare Beast WebSocket server ----

class EchoSession : public std::enable_shared_from_this<EchoSession> {
 public:
  EchoSession(tcp::socket socket, std::shared_ptr<const std::string> reply) : ws_(std::move(socket)), reply_(std::move(reply)) {}
  void start() {
    ws_.async_accept([self = shared_from_this()](beast::error_code error) {
      if (!error) self->read();
    });
  }

 private:
  void read() {
    ws_.async_read(buffer_, [self = shared_from_this()](beast::error_code error, size_t) {
      if (error) return;
      self->buffer_.consume(self->buffer_.size());
      self->ws_.text(true);
      self->ws_.async_write(asio::buffer(*self->reply_), [self](beast::error_code e, size_t) {
        if (!e) self->read();
      });
    });
  }
  websocket::stream<beast::tcp_stream> ws_;
  std::shared_ptr<const std::string> reply_;
  beast::flat_buffer buffer_;
};

void accept_echo(tcp::acceptor& acceptor, std::shared_ptr<const std::string> reply) {
  acceptor.async_accept([&acceptor, reply](beast::error_code error, tcp::socket socket) {
    if (!error) {
      socket.set_option(tcp::no_delay(true));  // as lorsyncd does
      std::make_shared<EchoSession>(std::move(socket), reply)->start();
    }
    accept_echo(acceptor, reply);
  });
}

// The echo server runs in a child process of its own, so that its memory and CPU are measured like the
// daemon's. It ends with this object, and with the bench however the bench ends (an early return, an
// exception, kill -9): a bench must never leave a server behind.
class EchoServer {
 public:
  explicit EchoServer(size_t reply_size) {
    int ports[2];
    if (::pipe(ports) != 0) throw std::runtime_error("pipe failed");
    const pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() != parent) ::_exit(1);  // the bench died before the line above took effect
      ::close(ports[0]);
      asio::io_context io(1);
      tcp::acceptor acceptor(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
      uint16_t port = acceptor.local_endpoint().port();
      if (::write(ports[1], &port, sizeof port) != sizeof port) ::_exit(1);
      accept_echo(acceptor, std::make_shared<const std::string>(reply_size, 'x'));
      io.run();
      ::_exit(0);
    }
    ::close(ports[1]);
    bool told = ::read(ports[0], &port_, sizeof port_) == sizeof port_;
    ::close(ports[0]);
    if (!told) {
      stop();
      throw std::runtime_error("the echo server did not start");
    }
  }
  EchoServer(const EchoServer&) = delete;
  EchoServer& operator=(const EchoServer&) = delete;
  ~EchoServer() { stop(); }

  pid_t pid() const { return pid_; }
  uint16_t port() const { return port_; }

 private:
  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  pid_t pid_ = -1;
  uint16_t port_ = 0;
};

// ---- many asynchronous clients, driven from one thread of the bench ----

struct Target {
  uint16_t port = 0;
  std::string token;  // empty for the echo server
};

class LoadClient : public std::enable_shared_from_this<LoadClient> {
 public:
  LoadClient(asio::io_context& io, const Target& target) : ws_(io), target_(target) {}

  // Connects, then calls `ready`.
  void open(std::function<void()> ready) {
    beast::get_lowest_layer(ws_).async_connect(
        tcp::endpoint(asio::ip::make_address("127.0.0.1"), target_.port),
        [self = shared_from_this(), ready = std::move(ready)](beast::error_code error) mutable {
          if (error) throw std::runtime_error("connect: " + error.message());
          beast::get_lowest_layer(self->ws_).socket().set_option(tcp::no_delay(true));
          std::string token = self->target_.token;
          self->ws_.set_option(websocket::stream_base::decorator([token](websocket::request_type& request) {
            if (!token.empty()) request.set(beast::http::field::authorization, "Bearer " + token);
          }));
          self->ws_.async_handshake("127.0.0.1:" + std::to_string(self->target_.port), "/rpc",
                                    [self, ready = std::move(ready)](beast::error_code e) {
                                      if (e) throw std::runtime_error("handshake: " + e.message());
                                      ready();
                                    });
        });
  }

  // `rounds` request/reply round trips, one after the other; latencies in ms.
  void round_trips(std::shared_ptr<const std::string> request, int rounds, std::vector<double>* latencies) {
    if (rounds == 0) return;
    auto started = Clock::now();
    ws_.text(true);
    ws_.async_write(asio::buffer(*request), [self = shared_from_this(), request, rounds, latencies, started](
                                                beast::error_code error, size_t) {
      if (error) throw std::runtime_error("write: " + error.message());
      self->ws_.async_read(self->buffer_, [self, request, rounds, latencies, started](beast::error_code e, size_t) {
        if (e) throw std::runtime_error("read: " + e.message());
        latencies->push_back(ms_since(started));
        self->buffer_.consume(self->buffer_.size());
        self->round_trips(request, rounds - 1, latencies);
      });
    });
  }

  // Waits for the next message whose text contains `marker`, and records when it came.
  void await(std::string marker, Clock::time_point since, std::vector<double>* arrivals) {
    ws_.async_read(buffer_, [self = shared_from_this(), marker, since, arrivals](beast::error_code error, size_t) {
      if (error) throw std::runtime_error("read: " + error.message());
      std::string text = beast::buffers_to_string(self->buffer_.data());
      self->buffer_.consume(self->buffer_.size());
      if (text.find(marker) != std::string::npos) arrivals->push_back(ms_since(since));
      else self->await(marker, since, arrivals);
    });
  }

  void send(std::shared_ptr<const std::string> message) {
    ws_.text(true);
    ws_.async_write(asio::buffer(*message), [self = shared_from_this(), message](beast::error_code error, size_t) {
      if (error) throw std::runtime_error("write: " + error.message());
    });
  }

 private:
  websocket::stream<beast::tcp_stream> ws_;
  Target target_;
  beast::flat_buffer buffer_;
};

std::vector<std::shared_ptr<LoadClient>> open_clients(asio::io_context& io, const Target& target, size_t count) {
  std::vector<std::shared_ptr<LoadClient>> clients;
  size_t ready = 0;
  for (size_t i = 0; i < count; ++i) {
    clients.push_back(std::make_shared<LoadClient>(io, target));
    clients.back()->open([&ready] { ++ready; });
  }
  while (ready < count) io.run_one();
  return clients;
}

struct Latency {
  double p50 = 0, p99 = 0;
};

Latency measure_round_trips(const Target& target, const std::string& request, size_t clients, int rounds_each) {
  asio::io_context io;
  auto connected = open_clients(io, target, clients);
  auto message = std::make_shared<const std::string>(request);
  std::vector<double> warmup, latencies;
  for (auto& client : connected) client->round_trips(message, 5, &warmup);
  io.restart();
  io.run();
  for (auto& client : connected) client->round_trips(message, rounds_each, &latencies);
  io.restart();
  io.run_for(std::chrono::seconds(60));
  return {percentile(latencies, 0.50), percentile(latencies, 0.99)};
}

// ---- the daemon's process, from /proc ----

double rss_mb(pid_t pid) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(status, line))
    if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  return 0;
}

double cpu_seconds(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  std::istringstream fields(text.substr(text.rfind(')') + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i)
    if (i == 14 || i == 15) ticks += std::stod(field);  // utime, stime
  return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

struct Idle {
  double rss = 0, cpu_percent = 0;
};

Idle idle_over(pid_t pid, std::chrono::seconds span) {
  double cpu_before = cpu_seconds(pid);
  std::this_thread::sleep_for(span);
  return {rss_mb(pid), 100.0 * (cpu_seconds(pid) - cpu_before) / static_cast<double>(span.count())};
}

// ---- the table ----

struct Row {
  std::string figure, value, baseline_name, baseline, ratio, target;
  bool met = true;
};

std::string format(const char* pattern, double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, pattern, value);
  return buffer;
}

// Prints the table; true when every target was met.
bool print(const std::vector<Row>& rows) {
  std::printf("lorsyncd bench (sample plan; 2-core machine; ratio = lorsyncd / baseline)\n\n");
  std::printf("| %-50s | %-12s | %-44s | %-12s | %-8s | %-22s |\n", "figure", "lorsyncd", "baseline (same run)", "baseline",
              "ratio", "target");
  std::printf("|%s|%s|%s|%s|%s|%s|\n", std::string(52, '-').c_str(), std::string(14, '-').c_str(),
              std::string(46, '-').c_str(), std::string(14, '-').c_str(), std::string(10, '-').c_str(),
              std::string(24, '-').c_str());
  bool all_met = true;
  for (const auto& row : rows) {
    std::printf("| %-50s | %12s | %-44s | %12s | %8s | %-22s |\n", row.figure.c_str(), row.value.c_str(),
                row.baseline_name.c_str(), row.baseline.c_str(), row.ratio.c_str(),
                (row.target + (row.met ? "" : " MISSED")).c_str());
    all_met = all_met && row.met;
  }
  std::printf("\n%s\n", all_met ? "Every target met." : "Some targets were missed (see above).");
  return all_met;
}

// RSS against the echo server's with the same connections, and CPU over the span (near zero when idle).
void add_idle_rows(std::vector<Row>& rows, const std::string& with, const Idle& daemon, const Idle& echo, double rss_target) {
  rows.push_back({"idle, " + with + ": RSS", format("%.1f MB", daemon.rss), "echo server, " + with,
                  format("%.1f MB", echo.rss), format("%.1fx", daemon.rss / echo.rss),
                  "<= " + format("%.0f", rss_target) + " MB", daemon.rss <= rss_target});
  rows.push_back({"idle, " + with + ": CPU over 10 s", format("%.2f %%", daemon.cpu_percent), "(near zero)", "", "",
                  "near 0", daemon.cpu_percent < 1});
}

// A bench that cannot go on says why and exits 1, its destructors run (the echo server, lorsyncd and the
// temp folders go with it): main catches this.
struct BenchFailure : std::runtime_error {
  using std::runtime_error::runtime_error;
};
[[noreturn]] void fail(const std::string& what) { throw BenchFailure(what); }

// The subscriber's next notification named `method`. Others in between are skipped: sync.changed comes
// whenever the daemon's sync round (after each commit, on its own timer) changes the sync state.
json await_notification(RpcClient& subscriber, const std::string& method) {
  for (;;) {
    auto note = subscriber.next_notification(std::chrono::seconds(5));
    if (!note) fail("no " + method + " within 5 s");
    if ((*note)["method"] == method) return *note;
  }
}

json call(RpcClient& client, const std::string& method, json params = json::object()) {
  auto response = client.call(method, std::move(params));
  if (!response) fail(method + ": " + response.error().message);
  if (!response->contains("result")) fail(method + " answered " + response->dump());
  return (*response)["result"];
}

}  // namespace

int run(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: lorsync_api_bench PATH/TO/lorsync\n";
    return 2;
  }
  const std::string lorsync = argv[1];
  rlimit limit{};
  ::getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &limit);
  PrivateHome home;
  TempDir dir;
  fs::path plan = dir / "plan";
  if (run_process({lorsync, "init", "--sample", plan.string()}).exit_code != 0) {
    std::cerr << "cannot create the sample plan\n";
    return 1;
  }
  // 1,000 clients connect at once: all are unauthenticated until their upgrade (with the token) is read.
  write_file(dir / "config.yaml", "max_connections: 3000\nmax_unauthenticated: 3000\n");
  DaemonProcess daemon(plan, {"--config", (dir / "config.yaml").string()});
  if (!daemon.running()) {
    std::cerr << "lorsyncd did not start:\n" << daemon.log();
    return 1;
  }
  const std::string status_request = R"({"jsonrpc":"2.0","id":1,"method":"plan.status"})";
  size_t reply_size = 0;
  {
    RpcClient probe = daemon.connect();
    if (!probe.send(status_request)) fail("cannot send plan.status");
    auto reply = probe.receive(std::chrono::seconds(5));
    if (!reply) fail("no answer to plan.status within 5 s");
    reply_size = reply->size();
  }
  EchoServer echo(reply_size);
  const Target lorsyncd{daemon.port(), daemon.info().token}, baseline{echo.port(), ""};
  std::vector<Row> rows;

  // Idle first, before any load has grown buffers.
  Idle idle_daemon = idle_over(daemon.pid(), std::chrono::seconds(10));
  Idle idle_echo = idle_over(echo.pid(), std::chrono::seconds(1));
  add_idle_rows(rows, "no clients", idle_daemon, idle_echo, 20);

  for (size_t clients : {size_t{1}, size_t{16}, size_t{256}}) {
    int rounds = clients == 1 ? 2000 : clients == 16 ? 200 : 30;
    Latency daemon_latency = measure_round_trips(lorsyncd, status_request, clients, rounds);
    Latency echo_latency = measure_round_trips(baseline, status_request, clients, rounds);
    std::string label = "plan.status round trip, " + std::to_string(clients) + " client" + (clients == 1 ? "" : "s");
    std::string echo_label = "echo, same size (" + std::to_string(reply_size) + " B)";
    rows.push_back({label + ": p50", format("%.3f ms", daemon_latency.p50), echo_label, format("%.3f ms", echo_latency.p50),
                    format("%.2fx", daemon_latency.p50 / echo_latency.p50), "p50 <= 2x echo",
                    daemon_latency.p50 <= 2 * echo_latency.p50});
    rows.push_back({label + ": p99", format("%.3f ms", daemon_latency.p99), echo_label, format("%.3f ms", echo_latency.p99),
                    format("%.2fx", daemon_latency.p99 / echo_latency.p99), "(for information)", true});
  }

  // letter.record: to the reply (the commit is made before it), and to a subscriber's plan.changed.
  {
    RpcClient writer = daemon.connect();
    RpcClient subscriber = daemon.connect();
    call(subscriber, "subscribe");
    std::vector<double> to_commit, to_notification;
    // Spread over the sample's letters, so that no one letter grows far past a real one's size.
    const std::vector<std::string> letters = {"brennan-neurology", "delgado-consult", "halvorsen-chair", "qureshi-home",
                                              "whitfield-inpatient"};
    for (int i = 0; i < 60; ++i) {
      json params = {{"letter", letters[static_cast<size_t>(i) % letters.size()]}, {"event", "reminded"},
                     {"date", "2026-08-15"}, {"note", "bench " + std::to_string(i)}};
      auto started = Clock::now();
      call(writer, "letter.record", params);
      to_commit.push_back(ms_since(started));
      // Each change brings plan.changed, audit.changed and deadlines.changed; read them all before the next.
      await_notification(subscriber, "deadlines.changed");
    }
    for (int i = 0; i < 60; ++i) {
      json params = {{"letter", letters[static_cast<size_t>(i) % letters.size()]}, {"event", "reminded"},
                     {"date", "2026-08-15"}, {"note", "bench notified " + std::to_string(i)}};
      auto started = Clock::now();
      if (!writer.send(json{{"jsonrpc", "2.0"}, {"id", i}, {"method", "letter.record"}, {"params", params}}.dump())) fail("cannot send letter.record");
      await_notification(subscriber, "plan.changed");
      to_notification.push_back(ms_since(started));
      if (!writer.receive(std::chrono::seconds(5))) fail("no answer to letter.record within 5 s");
      await_notification(subscriber, "deadlines.changed");
    }
    // The git CLI committing a one-line change to a copy of the plan (fsync as lorsync does).
    fs::path copy = dir / "git-copy";
    run_process({"git", "clone", "-q", plan.string(), copy.string()});
    std::vector<double> git_commit;
    for (int i = 0; i < 20; ++i) {
      std::ofstream(copy / "letters" / "brennan-neurology.md", std::ios::app) << "bench " << i << "\n";
      auto started = Clock::now();
      run_process({"git", "-C", copy.string(), "-c", "core.fsync=all", "commit", "-qam", "bench"});
      git_commit.push_back(ms_since(started));
    }
    double git = percentile(git_commit, 0.5);
    double commit = percentile(to_commit, 0.5), notified = percentile(to_notification, 0.5);
    rows.push_back({"letter.record: request to commit (reply), p50", format("%.2f ms", commit), "git commit -a, fsync on (CLI)",
                    format("%.2f ms", git), format("%.2fx", commit / git), "p50 <= 10 ms", commit <= 10});
    rows.push_back({"letter.record: to plan.changed at subscriber, p50", format("%.2f ms", notified),
                    "git commit -a, fsync on (CLI)", format("%.2f ms", git), format("%.2fx", notified / git), "p50 <= 10 ms",
                    notified <= 10});
  }

  // 1,000 idle connections, then one change fanned out to all of them.
  {
    asio::io_context io;
    auto clients = open_clients(io, lorsyncd, 1000);
    auto subscribe = std::make_shared<const std::string>(R"({"jsonrpc":"2.0","id":1,"method":"subscribe"})");
    std::vector<double> subscribed;
    for (auto& client : clients) client->round_trips(subscribe, 1, &subscribed);
    io.restart();
    io.run();
    Idle busy_idle = idle_over(daemon.pid(), std::chrono::seconds(10));
    asio::io_context echo_io;
    auto echo_clients = open_clients(echo_io, baseline, 1000);
    Idle echo_idle = idle_over(echo.pid(), std::chrono::seconds(1));
    add_idle_rows(rows, "1,000 connections", busy_idle, echo_idle, 100);

    // The change is sent from another thread while this one reads what the 1,000 subscribers receive.
    RpcClient writer = daemon.connect();
    std::vector<double> arrivals;
    auto started = Clock::now();
    for (auto& client : clients) client->await("\"plan.changed\"", started, &arrivals);
    std::thread change([&writer] {
      call(writer, "letter.record", {{"letter", "brennan-neurology"}, {"event", "reminded"}, {"date", "2026-08-15"},
                                     {"note", "fan-out"}});
    });
    io.restart();
    io.run_for(std::chrono::seconds(30));
    change.join();

    // Baseline: the echo server answering 1,000 clients that all ask at once.
    std::vector<double> echoed;
    auto message = std::make_shared<const std::string>(status_request);
    for (auto& client : echo_clients) client->round_trips(message, 1, &echoed);
    echo_io.restart();
    echo_io.run_for(std::chrono::seconds(30));
    double p99 = percentile(arrivals, 0.99), echo_p99 = percentile(echoed, 0.99);
    rows.push_back({"fan-out of one change to 1,000 subscribers: p50", format("%.1f ms", percentile(arrivals, 0.5)),
                    "echo: 1,000 clients ask at once", format("%.1f ms", percentile(echoed, 0.5)),
                    format("%.2fx", percentile(arrivals, 0.5) / percentile(echoed, 0.5)), "(for information)", true});
    rows.push_back({"fan-out of one change to 1,000 subscribers: p99", format("%.1f ms", p99),
                    "echo: 1,000 clients ask at once", format("%.1f ms", echo_p99), format("%.2fx", p99 / echo_p99),
                    "p99 <= 100 ms", arrivals.size() == 1000 && p99 <= 100});
  }

  return print(rows) ? 0 : 1;
}

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "lorsyncd bench: %s\n", error.what());
    return 1;
  }
}
