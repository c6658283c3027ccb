#include "storage/s3/tests/minio_server.h"

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fcntl.h>
#include <netinet/in.h>
#include <random>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include "net/http_transport.h"

extern char** environ;

namespace ticklake::s3 {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

uint16_t free_port() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof(addr);
    uint16_t port = 0;
    if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
        port = ntohs(addr.sin_port);
    }
    if (fd >= 0) {
        ::close(fd);
    }
    return port;
}

fs::path minio_binary() {
    if (const char* bin = std::getenv("MINIO_BIN"); bin != nullptr && *bin != '\0') {
        return bin;
    }
    // Where `setup/setup.sh minio` installs it (TICKLAKE_SOURCE_DIR comes from CMake).
    return fs::path(TICKLAKE_SOURCE_DIR) / ".deps/minio/bin/minio";
}

} // namespace

std::string random_hex(size_t bytes) {
    static std::mt19937_64 rng{std::random_device{}()};
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    for (size_t i = 0; i < bytes; ++i) {
        const auto b = static_cast<unsigned>(rng() & 0xFF);
        out += kDigits[b >> 4];
        out += kDigits[b & 0xF];
    }
    return out;
}

Result<std::unique_ptr<MinioServer>> MinioServer::start() {
    const fs::path bin = minio_binary();
    if (::access(bin.c_str(), X_OK) != 0) {
        return fail(Error::fatal("MinIO not found at " + bin.string() +
                                 ": run `setup/setup.sh minio` (or set MINIO_BIN to a minio binary)"));
    }
    std::unique_ptr<MinioServer> server(new MinioServer());
    std::string dir_template = (fs::temp_directory_path() / "tl-minio-XXXXXX").string();
    if (::mkdtemp(dir_template.data()) == nullptr) {
        return fail(Error::fatal("cannot create a temp folder for MinIO"));
    }
    server->dir_ = dir_template;
    fs::create_directories(server->dir_ / "data");
    server->credentials_ = aws::AwsCredentials{"tl" + random_hex(8), random_hex(20), "", "test MinIO"};

    const uint16_t port = free_port();
    const uint16_t console_port = free_port();
    if (port == 0 || console_port == 0 || port == console_port) {
        return fail(Error::retry("no free port on 127.0.0.1 for MinIO"));
    }
    server->port_ = port;
    server->console_port_ = console_port;
    if (auto st = server->launch(); !st) {
        return fail(st.error());
    }
    return server;
}

Status MinioServer::launch() {
    const fs::path bin = minio_binary();
    const uint16_t port = port_;
    const uint16_t console_port = console_port_;
    // Everything the child needs is built before fork(): after it only exec-safe calls.
    std::vector<std::string> env_strings;
    for (char** e = environ; *e != nullptr; ++e) {
        std::string_view kv(*e);
        if (!kv.starts_with("MINIO_")) {
            env_strings.emplace_back(kv);
        }
    }
    env_strings.push_back("MINIO_ROOT_USER=" + credentials_.access_key_id);
    env_strings.push_back("MINIO_ROOT_PASSWORD=" + credentials_.secret_access_key);
    env_strings.push_back("MINIO_UPDATE=off");
    env_strings.push_back("MINIO_BROWSER=off");
    std::vector<char*> envp;
    for (auto& s : env_strings) {
        envp.push_back(s.data());
    }
    envp.push_back(nullptr);
    std::vector<std::string> arg_strings{bin.string(), "server", "--quiet", "--address",
                                         "127.0.0.1:" + std::to_string(port), "--console-address",
                                         "127.0.0.1:" + std::to_string(console_port), (dir_ / "data").string()};
    std::vector<char*> argv;
    for (auto& s : arg_strings) {
        argv.push_back(s.data());
    }
    argv.push_back(nullptr);
    const std::string log_path = (dir_ / "minio.log").string();
    const pid_t parent = ::getpid();

    const pid_t pid = ::fork();
    if (pid < 0) {
        return fail(Error::fatal("fork failed starting MinIO"));
    }
    if (pid == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL); // never outlive the test process
        if (::getppid() != parent) {
            ::_exit(127);
        }
        int log = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
        if (log >= 0) {
            ::dup2(log, 1);
            ::dup2(log, 2);
        }
        ::execve(argv[0], argv.data(), envp.data());
        ::_exit(127);
    }
    pid_ = pid;

    net::CurlHttpTransport probe(net::HttpTransportOptions{.connect_timeout = 200ms, .total_timeout = 1000ms});
    const auto deadline = std::chrono::steady_clock::now() + 60s;
    while (std::chrono::steady_clock::now() < deadline) {
        int status = 0;
        if (::waitpid(pid, &status, WNOHANG) == pid) {
            pid_ = -1;
            return fail(Error::fatal("MinIO exited at start; see " + log_path));
        }
        auto r = probe.send(net::HttpRequest{"GET", endpoint_url() + "/minio/health/live"});
        if (r && r->status == 200) {
            return {};
        }
        std::this_thread::sleep_for(100ms);
    }
    return fail(Error::fatal("MinIO did not answer /minio/health/live within 60 s; see " + log_path));
}

void MinioServer::stop() {
    if (pid_ > 0) {
        ::kill(pid_, SIGTERM);
        const auto deadline = std::chrono::steady_clock::now() + 10s;
        int status = 0;
        bool exited = false;
        while (std::chrono::steady_clock::now() < deadline) {
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                exited = true;
                break;
            }
            std::this_thread::sleep_for(20ms);
        }
        if (!exited) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, &status, 0);
        }
        pid_ = -1;
    }
    if (!dir_.empty()) {
        std::error_code ec;
        fs::remove_all(dir_, ec);
        dir_.clear();
    }
}

void MinioServer::kill() {
    if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = -1;
    }
}

Status MinioServer::restart() {
    kill();
    return launch();
}

MinioServer::~MinioServer() { stop(); }

} // namespace ticklake::s3
