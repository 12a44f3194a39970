// JSON response helpers shared by the control API and the endpoints.
#pragma once
#include <httplib.h>
#include <nlohmann/json.hpp>

#include <string>

namespace ls {

// Never throws on invalid UTF-8 (request bodies are echoed as they came).
std::string dump(const nlohmann::json& j);
void send_json(httplib::Response& res, const nlohmann::json& j, int status = 200);
void send_error(httplib::Response& res, int status, const std::string& reason);

}  // namespace ls
