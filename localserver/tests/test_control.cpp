// Control API: every call, including its bad inputs.
#include "test_support.hpp"

#include <thread>

using namespace lstest;

TEST_F(ServerTest, Health) {
  int st = 0;
  auto j = get("/health", &st);
  EXPECT_EQ(st, 200);
  EXPECT_EQ(j["ok"], true);
  EXPECT_TRUE(j["version"].is_string());
}

TEST_F(ServerTest, CreateScenarioDefaultsToHttpOnFreshPort) {
  int st = 0;
  auto a = post("/scenarios", &st);
  ASSERT_EQ(st, 200);
  auto b = post("/scenarios?kind=http&name=x", &st);
  EXPECT_EQ(a["kind"], "http");
  EXPECT_NE(a["id"], b["id"]);
  EXPECT_NE(a["port"], b["port"]);
  EXPECT_NE(a["port"].get<int>(), control_port_);
  auto r = client(a["port"])->Get("/get");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(ServerTest, CreateScenarioBadKind) {
  int st = 0;
  auto j = post("/scenarios?kind=ftp", &st);
  EXPECT_EQ(st, 400);
  EXPECT_TRUE(j["error"].is_string());
}

TEST_F(ServerTest, UnknownScenarioAndEndpoint) {
  int st = 0;
  auto j = get("/scenarios/s999/stats", &st);
  EXPECT_EQ(st, 404);
  EXPECT_TRUE(j["error"].is_string());
  j = get("/nope", &st);
  EXPECT_EQ(st, 404);
  EXPECT_TRUE(j["error"].is_string());
  auto r = control().Delete("/scenarios/s999");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 404);
}

TEST_F(ServerTest, StatsLogTimelineCountRequestsPerConnection) {
  auto s = create();
  std::string id = s["id"];
  auto c = client(s["port"]);
  for (int i = 0; i < 3; ++i) {
    auto r = c->Get("/get?a=1");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->get_header_value("X-Conn-Id"), "1");
    EXPECT_EQ(r->get_header_value("X-Conn-Seq"), std::to_string(i + 1));
    EXPECT_EQ(r->get_header_value("X-Request-Seq"), std::to_string(i + 1));
  }
  auto st = stats(id);
  EXPECT_EQ(st["connections_accepted"], 1);
  EXPECT_EQ(st["connections_open"], 1);
  EXPECT_EQ(st["connections_peak"], 1);
  EXPECT_EQ(st["requests"], 3);
  EXPECT_EQ(st["paths"]["/get"], 3);
  EXPECT_EQ(st["connections"]["1"], json::array({1, 2, 3}));
  EXPECT_EQ(st["inflight"], 0);
  EXPECT_EQ(st["parked"], 0);

  auto log = get("/scenarios/" + id + "/log");
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[0]["seq"], 1);
  EXPECT_EQ(log[0]["conn"], 1);
  EXPECT_EQ(log[2]["conn_seq"], 3);
  EXPECT_EQ(log[0]["method"], "GET");
  EXPECT_EQ(log[0]["path"], "/get");
  EXPECT_EQ(log[0]["query"], "a=1");
  EXPECT_EQ(log[0]["status"], 200);
  EXPECT_EQ(log[0]["client_gone"], false);
  EXPECT_TRUE(log[0]["headers"].contains("Host"));
  EXPECT_FALSE(log[0]["headers"].contains("REMOTE_ADDR"));
  EXPECT_LE(log[0]["t_start_ms"].get<double>(), log[0]["t_end_ms"].get<double>());

  c->stop();
  c.reset();
  int code = 0;
  auto aw = get("/scenarios/" + id + "/await?open=0&timeout_ms=3000", &code);
  EXPECT_EQ(code, 200) << aw.dump();
  auto tl = get("/scenarios/" + id + "/timeline");
  ASSERT_EQ(tl.size(), 2u);
  EXPECT_EQ(tl[0]["event"], "open");
  EXPECT_EQ(tl[0]["open"], 1);
  EXPECT_EQ(tl[1]["event"], "close");
  EXPECT_EQ(tl[1]["conn"], 1);
  EXPECT_EQ(tl[1]["open"], 0);
}

TEST_F(ServerTest, ResetZeroesHistory) {
  auto s = create();
  std::string id = s["id"];
  ASSERT_TRUE(client(s["port"])->Get("/get"));
  ASSERT_EQ(post("/scenarios/" + id + "/reset")["ok"], true);
  auto st = stats(id);
  EXPECT_EQ(st["requests"], 0);
  EXPECT_EQ(st["paths"].size(), 0u);
  EXPECT_EQ(get("/scenarios/" + id + "/log").size(), 0u);
  auto r = client(s["port"])->Get("/get");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->get_header_value("X-Request-Seq"), "1");
}

TEST_F(ServerTest, HoldAwaitReleaseGate) {
  auto s = create();
  std::string id = s["id"];
  int port = s["port"];
  std::vector<std::thread> ts;
  std::vector<int> statuses(3, 0);
  for (int i = 0; i < 3; ++i) {
    ts.emplace_back([&, i] {
      auto c = client(port);
      auto r = c->Get("/hold/g1?timeout_ms=10000");
      statuses[static_cast<size_t>(i)] = r ? r->status : -1;
    });
  }
  int code = 0;
  auto aw = get("/scenarios/" + id + "/await?parked=3&gate=g1&timeout_ms=5000", &code);
  EXPECT_EQ(code, 200) << aw.dump();
  EXPECT_EQ(aw["ok"], true);
  EXPECT_EQ(aw["parked"], 3);
  EXPECT_EQ(aw["inflight"], 3);
  EXPECT_EQ(stats(id)["parked_at"]["g1"], 3);
  auto rel = post("/scenarios/" + id + "/release?gate=g1", &code);
  EXPECT_EQ(code, 200);
  for (auto& t : ts) {
    t.join();
  }
  EXPECT_EQ(statuses, std::vector<int>({200, 200, 200}));
  aw = get("/scenarios/" + id + "/await?requests=3&timeout_ms=2000", &code);
  EXPECT_EQ(code, 200);
  EXPECT_EQ(aw["parked"], 0);
  // An open gate lets later arrivals straight through.
  auto r = client(port)->Get("/hold/g1");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST_F(ServerTest, ReleaseAll) {
  auto s = create();
  std::string id = s["id"];
  int port = s["port"];
  std::thread t([&] { client(port)->Get("/hold/a?timeout_ms=10000"); });
  std::thread u([&] { client(port)->Get("/hold/b?timeout_ms=10000"); });
  int code = 0;
  get("/scenarios/" + id + "/await?parked=2&timeout_ms=5000", &code);
  EXPECT_EQ(code, 200);
  post("/scenarios/" + id + "/release?all=1", &code);
  EXPECT_EQ(code, 200);
  t.join();
  u.join();
  EXPECT_EQ(stats(id)["parked"], 0);
}

TEST_F(ServerTest, AwaitTimesOutWith408AndStats) {
  auto s = create();
  int code = 0;
  auto j = get("/scenarios/" + s["id"].get<std::string>() + "/await?parked=1&timeout_ms=100", &code);
  EXPECT_EQ(code, 408);
  EXPECT_EQ(j["ok"], false);
  EXPECT_TRUE(j["error"].is_string());
  EXPECT_EQ(j["parked"], 0);
}

TEST_F(ServerTest, AwaitBadInputs) {
  auto s = create();
  std::string base = "/scenarios/" + s["id"].get<std::string>() + "/await";
  for (const char* q : {"", "?parked=x", "?parked=1&requests=1", "?parked=1&timeout_ms=60001", "?parked=-1",
                        "?open=1&gate=g", "?parked=1&gate=bad%20name"}) {
    int code = 0;
    auto j = get(base + q, &code);
    EXPECT_EQ(code, 400) << q;
    EXPECT_TRUE(j["error"].is_string()) << q;
  }
}

TEST_F(ServerTest, ReleaseBadInputs) {
  auto s = create();
  std::string base = "/scenarios/" + s["id"].get<std::string>() + "/release";
  for (const char* q : {"", "?gate=", "?gate=a/b", "?all=2"}) {
    int code = 0;
    post(base + q, &code);
    EXPECT_EQ(code, 400) << q;
  }
}

TEST_F(ServerTest, DeleteStopsListenerAndReleasesParked) {
  auto s = create();
  std::string id = s["id"];
  int port = s["port"];
  int status = 0;
  std::thread t([&] {
    auto r = client(port)->Get("/hold/x?timeout_ms=20000");
    status = r ? r->status : -1;
  });
  int code = 0;
  get("/scenarios/" + id + "/await?parked=1&timeout_ms=5000", &code);
  EXPECT_EQ(code, 200);
  auto t0 = std::chrono::steady_clock::now();
  auto r = control().Delete("/scenarios/" + id);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
  t.join();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(3));
  EXPECT_TRUE(status == 503 || status == -1) << status;
  get("/scenarios/" + id + "/stats", &code);
  EXPECT_EQ(code, 404);
  auto c = client(port);
  c->set_connection_timeout(0, 300000);
  EXPECT_FALSE(c->Get("/get"));
}

TEST_F(ServerTest, ShutdownCallsBack) {
  int code = 0;
  post("/shutdown", &code);
  EXPECT_EQ(code, 200);
  EXPECT_TRUE(shutdown_called_);
}

TEST_F(ServerTest, StopWithIdleKeepAliveConnectionsIsPrompt) {
  auto s = create();
  auto c = client(s["port"]);
  ASSERT_TRUE(c->Get("/get"));  // leaves an idle keep-alive connection
  auto t0 = std::chrono::steady_clock::now();
  server_->stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));
}
