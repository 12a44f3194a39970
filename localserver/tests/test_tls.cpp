// TLS listeners over real sockets with a real TLS client (OpenSSL in process): the handshake
// verifies against the run's test CA for 127.0.0.1 and localhost, each hostile certificate fails
// the check it is made for, the stalled handshake is held until its gate opens, the reset one is
// reset, the wrong protocol on either kind of listener is ended cleanly and counted, and stats
// carry version, resumption and handshake counts. Without OpenSSL: TLS is refused with a reason.
#include "test_support.hpp"

#include <hc_protocol/tls.h>

#include <chrono>
#include <future>
#include <thread>

#if LOCALSERVER_TLS
#include "tls_client.hpp"

#include <openssl/x509_vfy.h>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#endif

using namespace lstest;
namespace tls = hc_protocol::tls;

class Tls : public ServerTest {
 protected:
  // A TLS scenario; its creation reply.
  json create_tls(const std::string& kind, const std::string& cert = tls::kCertValid,
                  const std::string& handshake = tls::kHandshakeNormal) {
    int st = 0;
    json j = post("/scenarios?" + tls::ScenarioQuery(kind, cert, handshake), &st);
    EXPECT_EQ(st, 200) << j.dump();
    return j;
  }
  std::string ca_pem() { return get("/tls").value(tls::kCaPemText, std::string()); }
  // The scenario's stats once its client has closed every connection (the server has then
  // counted the handshake, whichever way it went).
  json stats_when_closed(const std::string& id) {
    int code = 0;
    json j = get("/scenarios/" + id + "/await?open=0&timeout_ms=5000", &code);
    EXPECT_EQ(code, 200) << j.dump();
    return stats(id);
  }
#if LOCALSERVER_TLS
  // A verified connection that makes one GET (TLS 1.3 tickets arrive after the handshake) and
  // closes; the session it leaves, to offer on the next connection (nullptr: none, or a failure).
  SSL_SESSION* first_session(TlsClientContext& ctx, int port, const std::string& host,
                             std::string* version = nullptr) {
    TlsClientConn c(ctx, port, host);
    if (!c.handshake()) {
      ADD_FAILURE() << "first connection: " << c.error();
      return nullptr;
    }
    EXPECT_FALSE(c.get("/get").empty()) << "first connection: no answer to GET /get";
    if (version) {
      *version = c.version();
    }
    SSL_SESSION* session = c.session();
    c.close_tls();
    return session;
  }
  // A connection that offers `session` (if there is one): whether the server resumed it.
  bool resumes(TlsClientContext& ctx, int port, const std::string& host, SSL_SESSION* session) {
    TlsClientConn c(ctx, port, host);
    if (session) {
      c.offer(session);
    }
    if (!c.handshake()) {
      ADD_FAILURE() << "second connection: " << c.error();
      return false;
    }
    const bool resumed = c.resumed();
    c.close_tls();
    return resumed;
  }
  // A first connection to `port` (first_session) and a second one to `second_port` offering the
  // session the first left, if it left one: whether it did, and whether the server resumed it.
  struct Resumption {
    bool offered;
    bool resumed;
  };
  Resumption resumption(TlsClientContext& ctx, int port, int second_port, const std::string& host,
                        std::string* version = nullptr) {
    SSL_SESSION* session = first_session(ctx, port, host, version);
    const Resumption r{session != nullptr, resumes(ctx, second_port, host, session)};
    SSL_SESSION_free(session);
    return r;
  }
  // Why a connection to `port` verifying `host` did not complete its handshake.
  struct Refusal {
    long verify_result;
    std::string error;
  };
  Refusal refusal(int port, const std::string& host) {
    TlsClientConn c(ca_pem(), port, host);
    EXPECT_FALSE(c.handshake());
    Refusal r{c.verify_result(), c.error()};
    c.close_tls();
    return r;
  }
  // GET /scenarios/<id>/await for one parked request (`extra`: more conditions): its status.
  int await_parked(const std::string& id, const std::string& extra = "", json* reply = nullptr) {
    int code = 0;
    json j = get("/scenarios/" + id + "/await?parked=1" + extra + "&timeout_ms=5000", &code);
    if (reply) {
      *reply = j;
    }
    return code;
  }
#endif
};

#if LOCALSERVER_TLS
// A client of a scenario whose handshake runs on a thread of its own (handshake=stall holds it).
struct HandshakeInFlight {
  HandshakeInFlight(const std::string& ca_pem, const json& scenario)
      : id(scenario["id"]),
        conn(ca_pem, scenario["port"], "localhost"),
        done(std::async(std::launch::async, [this] { return conn.handshake(); })) {}
  std::string id;
  TlsClientConn conn;
  std::future<bool> done;
};
#endif

TEST_F(Tls, BadParametersAreRefusedWithAReason) {
  int st = 0;
  json j = post("/scenarios?kind=http&tls=bogus", &st);
  EXPECT_EQ(st, 400);
  EXPECT_NE(j.value("error", "").find("tls must be"), std::string::npos) << j.dump();
  j = post("/scenarios?kind=raw&tls=valid", &st);
  EXPECT_EQ(st, 400) << j.dump();
  j = post("/scenarios?kind=http&handshake=stall", &st);
  EXPECT_EQ(st, 400) << j.dump();
  j = post("/scenarios?kind=http&tls=valid&handshake=slow", &st);
  EXPECT_EQ(st, 400) << j.dump();
  j = post("/scenarios?kind=ws&tls=valid&handshake=stall", &st);
  EXPECT_EQ(st, 400) << j.dump();
  for (const char* q :
       {"tls=valid&stall_ms=200", "tls=valid&handshake=stall&stall_ms=0",
        "tls=valid&handshake=stall&stall_ms=60001", "tls=valid&handshake=stall&stall_ms=2s"}) {
    j = post(std::string("/scenarios?kind=http&") + q, &st);
    EXPECT_EQ(st, 400) << q << ": " << j.dump();
    EXPECT_NE(j.value("error", "").find("stall_ms"), std::string::npos) << q << ": " << j.dump();
  }
  EXPECT_EQ(get("/scenarios").size(), 0u);  // nothing half-made
}

#if LOCALSERVER_TLS

TEST_F(Tls, HandshakeVerifiesAgainstTheCaFor127001AndLocalhost) {
  json s = create_tls("http");
  EXPECT_EQ(s["scheme"], "https");
  EXPECT_EQ(s["tls"], "valid");
  TlsClientContext ctx(ca_pem());
  for (const char* host : {"127.0.0.1", "localhost"}) {
    TlsClientConn c(ctx, s["port"], host);
    ASSERT_TRUE(c.handshake()) << host << ": " << c.error();
    EXPECT_EQ(c.verify_result(), X509_V_OK) << host;
    std::string r1 = c.get("/get?a=1");
    std::string r2 = c.get("/bytes/16");
    EXPECT_EQ(r1.rfind("HTTP/1.1 200", 0), 0u) << r1;
    EXPECT_NE(r1.find(std::string("\"url\":\"https://") + host), std::string::npos) << r1;
    EXPECT_EQ(r2.rfind("HTTP/1.1 200", 0), 0u) << r2;
    c.close_tls();
    stats_when_closed(s["id"]);  // one connection at a time
  }
  json st = stats_when_closed(s["id"]);
  const json& t = st["tls"];
  EXPECT_EQ(t["cert"], "valid");
  EXPECT_EQ(t["handshakes_completed"], 2);
  EXPECT_EQ(t["handshakes_failed"], 0);
  EXPECT_EQ(t["resumed"], 0);
  EXPECT_EQ(t["connections"]["1"]["sni"], "");  // an IP address is not sent as SNI
  EXPECT_EQ(t["connections"]["2"]["sni"], "localhost");
  EXPECT_EQ(t["connections"]["1"]["version"], "TLSv1.3");
  // The usual observation over TLS: two requests per connection, in the log and per connection.
  EXPECT_EQ(st["requests"], 4);
  EXPECT_EQ(st["connections"]["1"], json({1, 2}));
  EXPECT_EQ(st["connections"]["2"], json({3, 4}));
  EXPECT_EQ(st["connections_peak"], 1);
  EXPECT_EQ(get("/tls")["totals"]["handshakes_completed"], 2);
}

TEST_F(Tls, WrongHostCertificateFailsHostnameVerificationOnly) {
  json s = create_tls("http", tls::kCertWrongHost);
  Refusal r = refusal(s["port"], "localhost");
  EXPECT_EQ(r.verify_result, X509_V_ERR_HOSTNAME_MISMATCH) << r.error;
  r = refusal(s["port"], "127.0.0.1");
  EXPECT_EQ(r.verify_result, X509_V_ERR_IP_ADDRESS_MISMATCH) << r.error;
  {
    // The chain is good: for the name it does carry, the certificate verifies.
    TlsClientConn c(ca_pem(), s["port"], tls::kWrongHostName);
    EXPECT_TRUE(c.handshake()) << c.error();
    c.close_tls();
  }
  json t = stats_when_closed(s["id"])["tls"];
  EXPECT_EQ(t["handshakes_failed"], 2) << t.dump();
  EXPECT_EQ(t["handshakes_completed"], 1) << t.dump();
  EXPECT_FALSE(t["connections"]["1"]["ok"].get<bool>());
}

TEST_F(Tls, ExpiredCertificateFails) {
  json s = create_tls("http", tls::kCertExpired);
  const Refusal r = refusal(s["port"], "localhost");
  EXPECT_EQ(r.verify_result, X509_V_ERR_CERT_HAS_EXPIRED) << r.error;
  json t = stats_when_closed(s["id"])["tls"];
  EXPECT_EQ(t["handshakes_failed"], 1) << t.dump();
  EXPECT_EQ(t["cert"], "expired");
}

TEST_F(Tls, SelfSignedCertificateFails) {
  json s = create_tls("http", tls::kCertSelfSigned);
  const Refusal r = refusal(s["port"], "127.0.0.1");
  EXPECT_EQ(r.verify_result, X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT) << r.error;
  EXPECT_EQ(stats_when_closed(s["id"])["tls"]["handshakes_failed"], 1);
}

TEST_F(Tls, StalledHandshakeIsHeldUntilTheGateOpens) {
  HandshakeInFlight h(ca_pem(), create_tls("http", tls::kCertValid, tls::kHandshakeStall));
  json parked;
  ASSERT_EQ(await_parked(h.id, std::string("&gate=") + tls::kStallGate, &parked), 200) << parked.dump();
  EXPECT_EQ(parked["parked_at"][tls::kStallGate], 1);
  // Held: the client is still waiting for the ServerHello.
  EXPECT_EQ(h.done.wait_for(std::chrono::milliseconds(300)), std::future_status::timeout);
  EXPECT_EQ(stats(h.id)["tls"]["handshakes_completed"], 0);
  post("/scenarios/" + h.id + "/release?gate=" + tls::kStallGate);
  ASSERT_EQ(h.done.wait_for(std::chrono::seconds(5)), std::future_status::ready) << "handshake not resumed";
  EXPECT_TRUE(h.done.get()) << h.conn.error();
  EXPECT_EQ(h.conn.get("/get").rfind("HTTP/1.1 200", 0), 0u);
  h.conn.close_tls();
  json st = stats_when_closed(h.id);
  EXPECT_EQ(st["tls"]["handshakes_completed"], 1);
  EXPECT_EQ(st["parked"], 0);
}

TEST_F(Tls, StalledHandshakeEndsAtItsHoldLimit) {
  int code = 0;
  json s = post(
      std::string("/scenarios?") + tls::ScenarioQuery("http", tls::kCertValid, tls::kHandshakeStall, 200),
      &code);
  ASSERT_EQ(code, 200) << s.dump();
  EXPECT_EQ(s["stall_ms"], 200);
  std::string id = s["id"];
  TlsClientContext ctx(ca_pem());
  TlsClientConn c(ctx, s["port"], "localhost");
  auto done = std::async(std::launch::async, [&c] { return c.handshake(); });
  json parked = get("/scenarios/" + id + "/await?parked=1&timeout_ms=5000", &code);
  ASSERT_EQ(code, 200) << parked.dump();
  // Nobody opens the gate: the server gives up the handshake after 200 ms, well before 5 s.
  ASSERT_EQ(done.wait_for(std::chrono::seconds(5)), std::future_status::ready) << "held past its limit";
  EXPECT_FALSE(done.get());
  json t = stats_when_closed(id)["tls"];
  EXPECT_EQ(t["stall_ms"], 200);
  EXPECT_EQ(t["failures"]["handshake held for 200 ms, the limit"], 1) << t.dump();
  EXPECT_EQ(t["handshakes_completed"], 0);
}

TEST_F(Tls, ClientLeavingAStalledHandshakeIsCounted) {
  HandshakeInFlight h(ca_pem(), create_tls("http", tls::kCertValid, tls::kHandshakeStall));
  ASSERT_EQ(await_parked(h.id), 200);
  h.conn.shutdown_socket();
  ASSERT_EQ(h.done.wait_for(std::chrono::seconds(5)), std::future_status::ready);
  EXPECT_FALSE(h.done.get());
  json t = stats_when_closed(h.id)["tls"];
  EXPECT_EQ(t["failures"]["client left while the handshake was held"], 1) << t.dump();
}

TEST_F(Tls, DeletingTheScenarioEndsAStalledHandshake) {
  HandshakeInFlight h(ca_pem(), create_tls("http", tls::kCertValid, tls::kHandshakeStall));
  ASSERT_EQ(await_parked(h.id), 200);
  auto r = control().Delete("/scenarios/" + h.id);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  ASSERT_EQ(h.done.wait_for(std::chrono::seconds(5)), std::future_status::ready)
      << "held past the scenario's end";
  EXPECT_FALSE(h.done.get());
  EXPECT_EQ(get("/tls")["totals"]["handshakes_failed"], 1);
}

TEST_F(Tls, ResetMidHandshake) {
  json s = create_tls("http", tls::kCertValid, tls::kHandshakeReset);
  const std::string error = refusal(s["port"], "localhost").error;
  // The reset arrives where the ServerHello should: recv fails with a reset, not an EOF.
  EXPECT_NE(error.find("connection reset"), std::string::npos) << error;
  json t = stats_when_closed(s["id"])["tls"];
  EXPECT_EQ(t["failures"]["reset by the scenario after the ClientHello"], 1) << t.dump();
  EXPECT_EQ(t["handshakes_completed"], 0);
}

TEST_F(Tls, PlainHttpToTlsListenerIsAnsweredAndCounted) {
  json s = create_tls("http");
  RawConn raw(s["port"]);
  ASSERT_TRUE(raw.ok());
  raw.send("GET /get HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  std::string r = raw.read(5000);
  EXPECT_EQ(r.rfind("HTTP/1.1 400", 0), 0u) << r;
  EXPECT_NE(r.find("plain HTTP request on a TLS listener"), std::string::npos) << r;
  EXPECT_EQ(raw.ended_by(), 1) << "the connection must end with FIN, not a reset";
  raw.close();
  json st = stats_when_closed(s["id"]);
  EXPECT_EQ(st["wrong_protocol"], 1);
  EXPECT_EQ(st["requests"], 0);  // no request of the scenario's was served
  EXPECT_EQ(st["tls"]["handshakes_failed"], 0);
  EXPECT_EQ(get("/tls")["totals"]["wrong_protocol"], 1);
}

TEST_F(Tls, TlsToPlainListenerIsEndedCleanlyAndCounted) {
  json s = create("http");
  const std::string error = refusal(s["port"], "localhost").error;
  EXPECT_NE(error.find("unexpected eof"), std::string::npos) << error;  // FIN, not a reset
  json st = stats_when_closed(s["id"]);
  EXPECT_EQ(st["wrong_protocol"], 1);
  EXPECT_EQ(st["requests"], 0);
  EXPECT_TRUE(st["tls"].is_null());
  // The listener still serves plain HTTP.
  EXPECT_EQ(client(s["port"])->Get("/get")->status, 200);
}

TEST_F(Tls, SecondConnectionResumesWithATicket) {
  json s = create_tls("http");
  TlsClientContext ctx(ca_pem());
  const Resumption r = resumption(ctx, s["port"], s["port"], "localhost");
  ASSERT_TRUE(r.offered);
  EXPECT_TRUE(r.resumed);
  json t = stats_when_closed(s["id"])["tls"];
  EXPECT_FALSE(t["connections"]["1"]["resumed"].get<bool>());
  EXPECT_TRUE(t["connections"]["2"]["resumed"].get<bool>());
  EXPECT_EQ(t["resumed"], 1);
  EXPECT_EQ(t["versions"]["TLSv1.3"], 2);
}

TEST_F(Tls, Tls12SessionResumesAndVersionIsReported) {
  json s = create_tls("http");
  TlsClientContext ctx(ca_pem(), TLS1_2_VERSION);
  std::string version;
  const Resumption r = resumption(ctx, s["port"], s["port"], "127.0.0.1", &version);
  EXPECT_EQ(version, "TLSv1.2");
  EXPECT_TRUE(r.resumed);
  json t = stats_when_closed(s["id"])["tls"];
  EXPECT_EQ(t["versions"]["TLSv1.2"], 2);
  EXPECT_EQ(t["connections"]["1"]["version"], "TLSv1.2");
  EXPECT_TRUE(t["connections"]["2"]["resumed"].get<bool>());
}

TEST_F(Tls, ResumptionOffMakesEveryHandshakeFull) {
  int st = 0;
  json s = post("/scenarios?kind=http&tls=valid&resumption=off", &st);
  ASSERT_EQ(st, 200) << s.dump();
  EXPECT_FALSE(s["resumption"].get<bool>());
  for (const char* ver : {"1.3", "1.2"}) {
    TlsClientContext ctx(ca_pem(), std::string(ver) == "1.2" ? TLS1_2_VERSION : 0);
    EXPECT_FALSE(resumption(ctx, s["port"], s["port"], "localhost").resumed) << "TLS " << ver;
  }
  json t = stats_when_closed(s["id"])["tls"];
  EXPECT_EQ(t["handshakes_completed"], 4);
  EXPECT_EQ(t["resumed"], 0);
  EXPECT_FALSE(t["resumption"].get<bool>());
  post("/scenarios?kind=http&tls=valid&resumption=maybe", &st);
  EXPECT_EQ(st, 400);
  post("/scenarios?kind=http&resumption=off", &st);
  EXPECT_EQ(st, 400);
}

TEST_F(Tls, SessionsDoNotResumeOnAnotherListener) {
  json a = create_tls("http");
  json b = create_tls("http");
  TlsClientContext ctx(ca_pem());
  const Resumption r = resumption(ctx, a["port"], b["port"], "localhost");
  ASSERT_TRUE(r.offered);
  EXPECT_FALSE(r.resumed);
  EXPECT_EQ(stats_when_closed(b["id"])["tls"]["resumed"], 0);
}

TEST_F(Tls, ClientGoneIsNoticedOverTls) {
  json s = create_tls("http");
  std::string id = s["id"];
  TlsClientConn c(ca_pem(), s["port"], "localhost");
  ASSERT_TRUE(c.handshake()) << c.error();
  ASSERT_TRUE(c.write_all("GET /hold/g?timeout_ms=20000 HTTP/1.1\r\nHost: localhost\r\n\r\n"));
  ASSERT_EQ(await_parked(id, "&gate=g"), 200);
  c.close_tls();  // close_notify, then FIN
  int code = 0;
  get("/scenarios/" + id + "/await?requests=1&timeout_ms=5000", &code);
  ASSERT_EQ(code, 200) << "the held request did not end when its client left";
  json log = get("/scenarios/" + id + "/log");
  EXPECT_TRUE(log[0]["client_gone"].get<bool>()) << log.dump();
  EXPECT_EQ(log[0]["status"], 499);
}

TEST_F(Tls, ResetClearsTlsCountersAndDeletedScenariosStayInTotals) {
  json s = create_tls("http");
  TlsClientConn c(ca_pem(), s["port"], "localhost");
  ASSERT_TRUE(c.handshake()) << c.error();
  c.close_tls();
  EXPECT_EQ(stats_when_closed(s["id"])["tls"]["handshakes_completed"], 1);
  post("/scenarios/" + s["id"].get<std::string>() + "/reset");
  EXPECT_EQ(stats(s["id"])["tls"]["handshakes_completed"], 0);
  EXPECT_TRUE(stats(s["id"])["tls"]["connections"].empty());
  control().Delete("/scenarios/" + s["id"].get<std::string>());
  EXPECT_EQ(get("/tls")["totals"]["handshakes_completed"], 1);
}

TEST_F(Tls, WssEchoesOverAVerifiedConnection) {
  namespace net = boost::asio;
  namespace beast = boost::beast;
  namespace websocket = beast::websocket;
  json s = create_tls("ws");
  EXPECT_EQ(s["scheme"], "wss");
  net::io_context ioc;
  net::ssl::context ctx(net::ssl::context::tls_client);
  std::string pem = ca_pem();
  ctx.add_certificate_authority(net::buffer(pem));
  ctx.set_verify_mode(net::ssl::verify_peer);
  websocket::stream<beast::ssl_stream<net::ip::tcp::socket>> ws(ioc, ctx);
  beast::get_lowest_layer(ws).connect(
      net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"), s["port"].get<unsigned short>()));
  ws.next_layer().set_verify_callback(net::ssl::host_name_verification("localhost"));
  ASSERT_TRUE(SSL_set_tlsext_host_name(ws.next_layer().native_handle(), "localhost"));
  ws.next_layer().handshake(net::ssl::stream_base::client);
  ws.handshake("localhost", "/websocket/echo");
  ws.text(true);
  ws.write(net::buffer(std::string("hello")));
  beast::flat_buffer b;
  ws.read(b);
  EXPECT_EQ(beast::buffers_to_string(b.data()), "hello");
  ws.close(websocket::close_code::normal);
  json st = stats_when_closed(s["id"]);
  EXPECT_EQ(st["tls"]["handshakes_completed"], 1);
  EXPECT_EQ(st["tls"]["connections"]["1"]["sni"], "localhost");
  json log = get("/scenarios/" + s["id"].get<std::string>() + "/log");
  ASSERT_GE(log.size(), 2u) << log.dump();
  EXPECT_EQ(log[0]["status"], 101);
  EXPECT_EQ(log[1]["method"], "WS");
}

TEST_F(Tls, WssRefusesPlainHttpAndWsRefusesTls) {
  json wss = create_tls("ws", tls::kCertExpired);
  RawConn raw(wss["port"]);
  ASSERT_TRUE(raw.ok());
  raw.send("GET /websocket/echo HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  std::string r = raw.read(5000);
  EXPECT_EQ(r.rfind("HTTP/1.1 400", 0), 0u) << r;
  EXPECT_EQ(raw.ended_by(), 1);
  raw.close();
  EXPECT_EQ(stats_when_closed(wss["id"])["wrong_protocol"], 1);

  json ws = create("ws");
  refusal(ws["port"], "localhost");
  json st = stats_when_closed(ws["id"]);
  EXPECT_EQ(st["wrong_protocol"], 1);
  EXPECT_EQ(st["requests"], 0);
  EXPECT_EQ(get("/tls")["totals"]["wrong_protocol"], 2);
}

TEST_F(Tls, WssExpiredCertificateFails) {
  json s = create_tls("ws", tls::kCertExpired);
  EXPECT_EQ(refusal(s["port"], "localhost").verify_result, X509_V_ERR_CERT_HAS_EXPIRED);
  EXPECT_EQ(stats_when_closed(s["id"])["tls"]["handshakes_failed"], 1);
}

#else  // built without OpenSSL

TEST_F(Tls, UnavailableIsSaidAndTlsScenariosAreRefused) {
  json t = get("/tls");
  EXPECT_FALSE(t[tls::kAvailable].get<bool>());
  EXPECT_NE(t.value(tls::kReason, "").find("without OpenSSL"), std::string::npos) << t.dump();
  int st = 0;
  json j = post("/scenarios?kind=http&tls=valid", &st);
  EXPECT_EQ(st, 501);
  EXPECT_NE(j.value("error", "").find("TLS unavailable"), std::string::npos) << j.dump();
  EXPECT_EQ(get("/scenarios").size(), 0u);
}

#endif
