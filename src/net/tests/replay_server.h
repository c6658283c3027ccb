// A scripted WebSocket + HTTP server on 127.0.0.1 for the tests: it replays recorded vendor
// messages exactly (auth and subscription exchanges, pings, error frames, drops, closes) and
// records what clients sent. One connection at a time, served on its own thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>


namespace ticklake::net::testing {

struct WsStep {
    enum class Kind {
        send,   //!< send `text` as a text frame
        expect, //!< read client messages until one contains `text` (all are recorded)
        ping,   //!< send a ping frame (the client must answer with a pong)
        drop,   //!< cut the TCP connection without a close frame (a network failure)
        close,  //!< send a close frame with `code` and `text` as reason, then end
        hang,   //!< stop reading and answering (pings included) for `ms` milliseconds
        soak,   //!< generate Binance aggTrade messages (contiguous ids) at `rate`/s for `ms` ms
    };
    Kind kind = Kind::send;
    std::string text;
    int ms = 0;
    uint16_t code = 1000;
    long rate = 0;

    static WsStep send(std::string t) { return {Kind::send, std::move(t)}; }
    static WsStep expect(std::string t) { return {Kind::expect, std::move(t)}; }
    static WsStep ping() { return {Kind::ping, {}}; }
    static WsStep drop() { return {Kind::drop, {}}; }
    static WsStep close(uint16_t code, std::string reason) { return {Kind::close, std::move(reason), 0, code}; }
    static WsStep hang(int ms) { return {Kind::hang, {}, ms}; }
    static WsStep soak(long rate, int ms) { return {Kind::soak, {}, ms, 1000, rate}; }
};

//! The steps of one WebSocket connection. After the last step the server keeps reading
//! (recording messages, answering pings) until the client leaves.
using WsScript = std::vector<WsStep>;

struct HttpReply {
    int status = 200;
    std::string body;
    std::string content_type = "application/json";
    std::vector<std::pair<std::string, std::string>> headers; //!< more header fields (Retry-After, ...)
};

struct HttpRoute {
    std::string path;                //!< matches when the request target starts with it
    std::vector<HttpReply> replies;  //!< served in order; the last one repeats
};

//! A plain HTTP request as the server read it.
struct RecordedHttpRequest {
    std::string method;
    std::string target;
    std::vector<std::pair<std::string, std::string>> headers; //!< names lower-cased, in order
    std::string body;
    //! Value of the first header named `name` (lower case), empty when absent.
    std::string header(const std::string& name) const;
};

struct ReplayServerOptions {
    //! Connection i plays scripts[min(i, size - 1)]: the last script repeats.
    std::vector<WsScript> scripts;
    std::vector<HttpRoute> routes;
    //! When set, upgrade requests whose target lacks this text get HTTP 401 (token check).
    std::string require_in_target;
    std::string tls_cert_file; //!< PEM certificate chain: serve wss:// and https:// instead
    std::string tls_key_file;  //!< PEM private key of tls_cert_file
};

class ReplayServer {
public:
    explicit ReplayServer(ReplayServerOptions options);
    ~ReplayServer();
    ReplayServer(const ReplayServer&) = delete;
    ReplayServer& operator=(const ReplayServer&) = delete;

    uint16_t port() const { return port_; }
    std::string ws_url(const std::string& path = "/") const;
    std::string http_url(const std::string& path = "/") const;

    //! Messages each WebSocket connection received from its client, in order.
    std::vector<std::vector<std::string>> received() const;
    //! Request targets of upgrades (accepted or refused) and of plain HTTP requests, in order.
    std::vector<std::string> targets() const;
    //! Plain HTTP requests (not upgrades), in order.
    std::vector<RecordedHttpRequest> http_requests() const;
    size_t connections() const { return connections_.load(); }
    //! TCP connections accepted, WebSocket and plain HTTP alike.
    size_t accepted() const { return accepted_.load(); }
    size_t refused() const { return refused_.load(); }
    uint64_t pongs() const { return pongs_.load(); }
    uint64_t pings_from_client() const { return client_pings_.load(); }
    //! Connections whose script has been played to the end (and the client left, or was dropped).
    size_t finished() const { return finished_.load(); }
    //! Messages sent by soak steps so far.
    uint64_t soak_sent() const { return soak_sent_.load(); }

private:
    void run();
    template <class Stream>
    void serve(Stream stream);
    template <class Ws>
    void soak(Ws& ws, const WsStep& step);

    struct Impl;
    std::unique_ptr<Impl> impl_;
    ReplayServerOptions options_;
    uint16_t port_ = 0;
    std::atomic<bool> stop_{false};
    std::atomic<int> active_fd_{-1};
    std::atomic<size_t> connections_{0};
    std::atomic<size_t> accepted_{0};
    std::atomic<size_t> refused_{0};
    std::atomic<size_t> finished_{0};
    std::atomic<uint64_t> pongs_{0};
    std::atomic<uint64_t> client_pings_{0};
    std::atomic<uint64_t> soak_sent_{0};
    std::vector<size_t> http_served_;
    mutable std::mutex mu_;
    std::vector<std::vector<std::string>> received_;
    std::vector<std::string> targets_;
    std::vector<RecordedHttpRequest> http_requests_;
    std::thread thread_;
};

//! A self-signed certificate and its key (PEM files in a fresh temporary folder), made with
//! the openssl command for `subject_alt_names` such as "DNS:localhost,IP:127.0.0.1".
struct TestCertificate {
    std::string dir;
    std::string cert_file;
    std::string key_file;
    TestCertificate(std::string d, std::string c, std::string k)
        : dir(std::move(d)), cert_file(std::move(c)), key_file(std::move(k)) {}
    TestCertificate(const TestCertificate&) = delete;
    TestCertificate& operator=(const TestCertificate&) = delete;
    ~TestCertificate(); //!< removes the folder
};
std::unique_ptr<TestCertificate> make_test_certificate(const std::string& subject_alt_names);

//! The lines of a recorded file (shared/data), without the trailing newline of each.
std::vector<std::string> read_lines(const std::string& path);
//! The whole file.
std::string read_file(const std::string& path);

} // namespace ticklake::net::testing
