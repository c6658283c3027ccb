// ticklake-replay-server: the tests' replay server as a program, for the end-to-end tests
// (tests/integration/test_live_sources.py) and the soak benchmark (bench/live_soak.py).
//
//   ticklake-replay-server SCRIPT     prints the port, serves until stdin closes
//
// SCRIPT has one step per line; a line "---" starts the next connection's script (the last
// one repeats for further connections):
//   send TEXT | expect TEXT | ping | drop | close CODE REASON | hang MS
//   sendfile PATH [FROM [TO]]   send lines FROM..TO-1 (0-based) of a recorded file
//   soak RATE SECONDS           Binance aggTrade messages with contiguous ids, RATE per second
//   route PREFIX STATUS FILE    HTTP: answer requests under PREFIX with FILE (repeat for a sequence)
//   require TEXT                refuse upgrades whose target lacks TEXT with HTTP 401
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "net/tests/replay_server.h"

using namespace ticklake::net::testing;

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: ticklake-replay-server SCRIPT\n");
        return 2;
    }
    std::ifstream in(argv[1]);
    if (!in) {
        std::fprintf(stderr, "cannot read %s\n", argv[1]);
        return 2;
    }
    ReplayServerOptions o;
    o.scripts.emplace_back();
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty() || line[0] == '#') continue;
        std::istringstream words(line);
        std::string verb;
        words >> verb;
        std::string rest;
        std::getline(words, rest);
        if (!rest.empty() && rest[0] == ' ') rest.erase(0, 1);
        WsScript& s = o.scripts.back();
        if (verb == "---") {
            o.scripts.emplace_back();
        } else if (verb == "send") {
            s.push_back(WsStep::send(rest));
        } else if (verb == "expect") {
            s.push_back(WsStep::expect(rest));
        } else if (verb == "ping") {
            s.push_back(WsStep::ping());
        } else if (verb == "drop") {
            s.push_back(WsStep::drop());
        } else if (verb == "close") {
            std::istringstream r(rest);
            int code = 1000;
            std::string reason;
            r >> code;
            std::getline(r, reason);
            s.push_back(WsStep::close(static_cast<uint16_t>(code), reason));
        } else if (verb == "hang") {
            s.push_back(WsStep::hang(std::stoi(rest)));
        } else if (verb == "sendfile") {
            std::istringstream r(rest);
            std::string path;
            size_t from = 0, to = static_cast<size_t>(-1);
            r >> path >> from >> to;
            const auto lines = read_lines(path);
            for (size_t i = from; i < to && i < lines.size(); ++i) s.push_back(WsStep::send(lines[i]));
        } else if (verb == "soak") {
            std::istringstream r(rest);
            long rate = 0, seconds = 0;
            r >> rate >> seconds;
            s.push_back(WsStep::soak(rate, static_cast<int>(seconds * 1000)));
        } else if (verb == "route") {
            std::istringstream r(rest);
            std::string prefix, file;
            int status = 200;
            r >> prefix >> status >> file;
            auto it = std::find_if(o.routes.begin(), o.routes.end(), [&](auto& x) { return x.path == prefix; });
            if (it == o.routes.end()) {
                o.routes.push_back({prefix, {}});
                it = o.routes.end() - 1;
            }
            it->replies.push_back(HttpReply{status, read_file(file)});
        } else if (verb == "require") {
            o.require_in_target = rest;
        } else {
            std::fprintf(stderr, "unknown step '%s'\n", verb.c_str());
            return 2;
        }
    }
    ReplayServer server(std::move(o));
    std::printf("%u\n", server.port());
    std::fflush(stdout);
    std::string ignored;
    while (std::getline(std::cin, ignored)) {
    }
    std::fprintf(stderr, "replay-server: %zu connections, %zu refused, %llu soak messages sent\n", server.connections(),
                 server.refused(), static_cast<unsigned long long>(server.soak_sent()));
    return 0;
}
