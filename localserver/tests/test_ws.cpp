// ws scenario: echo, fragmentation both ways, ping/pong, commands, limits.
#include "test_support.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <chrono>

using namespace lstest;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;

using WsStream = websocket::stream<tcp::socket>;

class Ws : public ScenarioTest {
 protected:
  Ws() : ScenarioTest("ws") {}
  // A client stream connected to the scenario, not yet upgraded.
  std::unique_ptr<WsStream> open_stream() {
    auto ws = std::make_unique<WsStream>(ioc_);
    ws->next_layer().connect(
        tcp::endpoint(net::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port_)));
    return ws;
  }
  // Connected and upgraded client stream.
  std::unique_ptr<WsStream> connect(const std::string& target = "/websocket/echo") {
    auto ws = open_stream();
    websocket::response_type res;
    ws->handshake(res, "127.0.0.1", target);
    EXPECT_EQ(res["X-Conn-Id"], "1");
    return ws;
  }
  // Sends `message` as one text message.
  static void send_text(WsStream& ws, const std::string& message) {
    ws.text(true);
    ws.write(net::buffer(message));
  }
  // Reads one message and returns how the read ended (set when the stream ended instead).
  static beast::error_code read_error(WsStream& ws) {
    beast::flat_buffer b;
    beast::error_code ec;
    ws.read(b, ec);
    return ec;
  }
  std::string read_text(WsStream& ws, bool* text = nullptr) {
    beast::flat_buffer b;
    ws.read(b);
    if (text) {
      *text = ws.got_text();
    }
    return beast::buffers_to_string(b.data());
  }
  net::io_context ioc_;
};

TEST_F(Ws, EchoKeepsMessageType) {
  auto ws = connect();
  ws->text(true);
  ws->write(net::buffer(std::string("hello")));
  bool text = false;
  EXPECT_EQ(read_text(*ws, &text), "hello");
  EXPECT_TRUE(text);
  ws->binary(true);
  std::string bin("\x00\x01\xff", 3);
  ws->write(net::buffer(bin));
  EXPECT_EQ(read_text(*ws, &text), bin);
  EXPECT_FALSE(text);
  ws->close(websocket::close_code::normal);
  EXPECT_EQ(await("open=0&timeout_ms=3000"), 200);
  auto st = stats(id_);
  EXPECT_EQ(st["connections_accepted"], 1);
  EXPECT_EQ(st["connections"]["1"], json::array({1, 2, 3}));
  auto log = this->log();
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[0]["status"], 101);
  EXPECT_EQ(log[1]["method"], "WS");
  EXPECT_EQ(log[1]["body_size"], 5);
  EXPECT_EQ(log[2]["headers"]["type"], "binary");
}

TEST_F(Ws, ClientFragmentsAreReassembled) {
  auto ws = connect();
  ws->text(true);
  ws->write_some(false, net::buffer(std::string("ab")));
  ws->write_some(false, net::buffer(std::string("cd")));
  ws->write_some(true, net::buffer(std::string("ef")));
  EXPECT_EQ(read_text(*ws), "abcdef");
}

TEST_F(Ws, ServerFragmentsReplies) {
  auto ws = connect("/websocket/echo?fragment=10");
  ws->text(true);
  std::string msg(95, 'x');
  ws->write(net::buffer(msg));
  beast::flat_buffer b;
  int reads = 0;
  do {
    ws->read_some(b, 1000);
    ++reads;
  } while (!ws->is_message_done());
  EXPECT_EQ(beast::buffers_to_string(b.data()), msg);
  EXPECT_GE(reads, 2);
}

TEST_F(Ws, PingGetsPong) {
  auto ws = connect();
  bool pong = false;
  ws->control_callback([&](websocket::frame_type kind, beast::string_view) {
    pong = pong || kind == websocket::frame_type::pong;
  });
  ws->ping({});
  send_text(*ws, "after-ping");
  EXPECT_EQ(read_text(*ws), "after-ping");
  EXPECT_TRUE(pong);
}

TEST_F(Ws, CloseCommandStartsCloseHandshake) {
  auto ws = connect();
  send_text(*ws, "!close");
  beast::error_code ec = read_error(*ws);
  EXPECT_EQ(ec, websocket::error::closed);
  EXPECT_EQ(ws->reason().code, websocket::close_code::normal);
}

TEST_F(Ws, AbortCommandResets) {
  auto ws = connect();
  send_text(*ws, "!abort");
  beast::error_code ec = read_error(*ws);
  EXPECT_TRUE(ec);
  EXPECT_NE(ec, websocket::error::closed);
}

TEST_F(Ws, ShutdownSendCommandEndsStreamWithoutCloseFrame) {
  auto ws = connect();
  send_text(*ws, "!shutdown-send");
  beast::error_code ec = read_error(*ws);
  EXPECT_EQ(ec, net::error::eof);
}

TEST_F(Ws, DelayCommand) {
  auto ws = connect();
  auto t0 = Clock::now();
  send_text(*ws, "!delay 150 later");
  EXPECT_EQ(read_text(*ws), "later");
  EXPECT_GE(Clock::now() - t0, std::chrono::milliseconds(140));
  ws->write(net::buffer(std::string("!delay x y")));
  EXPECT_EQ(read_text(*ws).rfind("!error", 0), 0u);
}

TEST_F(Ws, MaxSizeEnforced) {
  auto ws = connect("/websocket/echo?max_size=10");
  send_text(*ws, std::string(100, 'y'));
  beast::error_code ec = read_error(*ws);
  EXPECT_EQ(ec, websocket::error::closed);
  EXPECT_EQ(ws->reason().code, websocket::close_code::too_big);
}

TEST_F(Ws, BadTargetsAndPlainHttp) {
  auto c = client(port_);
  auto r = c->Get("/websocket/echo");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 400);
  EXPECT_EQ(r->get_header_value("X-Request-Seq"), "1");
  r = client(port_)->Get("/other");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
  auto ws = open_stream();
  beast::error_code ec;
  ws->handshake("127.0.0.1", "/websocket/echo?max_size=0", ec);
  EXPECT_TRUE(ec);
}

TEST_F(Ws, DeleteClosesOpenConnections) {
  auto ws = connect();
  auto t0 = Clock::now();
  auto r = control().Delete("/scenarios/" + id_);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  EXPECT_TRUE(read_error(*ws));
  EXPECT_LT(Clock::now() - t0, std::chrono::seconds(2));
}
