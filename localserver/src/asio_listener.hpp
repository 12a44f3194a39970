// Accept loop on its own io_context thread, shared by the ws, raw and proxy scenarios.
// Sessions live as shared_ptrs owned by their pending operations; the listener
// keeps weak references so stop() can abort them.
#pragma once
#include "scenario.hpp"
#include "scenario_state.hpp"

#include <boost/asio.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <thread>

namespace ls {

namespace net = boost::asio;
using tcp = net::ip::tcp;

class AsioSession : public std::enable_shared_from_this<AsioSession> {
 public:
  AsioSession(ScenarioState& state, std::uint64_t conn) : state_(state), conn_(conn) {}
  virtual ~AsioSession() { state_.conn_close(conn_); }
  AsioSession(const AsioSession&) = delete;
  AsioSession& operator=(const AsioSession&) = delete;
  virtual void start() = 0;
  // Called on the io thread when the scenario stops: cancel timers, close socket.
  virtual void abort() = 0;

 protected:
  ScenarioState& state_;
  const std::uint64_t conn_;
};

class AsioListener {
 public:
  using Factory =
      std::function<std::shared_ptr<AsioSession>(tcp::socket, ScenarioState&, std::uint64_t conn)>;
  AsioListener(ScenarioState& state, Factory factory);
  ~AsioListener();
  AsioListener(const AsioListener&) = delete;
  AsioListener& operator=(const AsioListener&) = delete;

  int start(const std::string& host);  // ephemeral port, or -1
  void stop();                         // idempotent; joins the io thread
  net::io_context& ioc() { return ioc_; }

 private:
  void do_accept();

  ScenarioState& state_;
  Factory factory_;
  net::io_context ioc_{1};
  tcp::acceptor acceptor_{ioc_};
  std::map<std::uint64_t, std::weak_ptr<AsioSession>> sessions_;  // io thread only
  std::thread thread_;
  bool stopped_ = false;
};

// A scenario served by an AsioListener; `factory` makes the session of each connection.
class AsioScenario : public Scenario {
 public:
  AsioScenario(const std::string& id, const std::string& kind, const std::string& name,
               AsioListener::Factory factory)
      : Scenario(id, kind, name), listener_(state_, std::move(factory)) {}
  ~AsioScenario() override { stop(); }
  void stop() override { listener_.stop(); }

  // `s` listening on an ephemeral port of host, or nullptr if it could not listen.
  static std::unique_ptr<Scenario> started(std::unique_ptr<AsioScenario> s, const std::string& host) {
    s->port_ = s->listener_.start(host);
    if (s->port_ <= 0) {
      return nullptr;
    }
    return s;
  }

 private:
  AsioListener listener_;
};

// A started AsioScenario whose connections are Session objects (constructible from the socket, the
// scenario state and the connection id), or nullptr if it could not listen.
template <typename Session>
std::unique_ptr<Scenario> make_asio_scenario(const std::string& id, const std::string& kind,
                                             const std::string& name, const std::string& host) {
  return AsioScenario::started(
      std::make_unique<AsioScenario>(id, kind, name,
                                     [](tcp::socket s, ScenarioState& state, std::uint64_t conn) {
                                       return std::make_shared<Session>(std::move(s), state, conn);
                                     }),
      host);
}

// Headers every scenario response carries.
std::string seq_headers(std::uint64_t conn, std::uint64_t conn_seq, std::uint64_t seq);

}  // namespace ls
