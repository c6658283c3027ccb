#include "broker/broker_process.h"

#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <deque>
#include <fstream>
#include <optional>
#include <thread>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

namespace ticklake::broker {

namespace fs = std::filesystem;

namespace {

std::string errno_text(int err) { return std::strerror(err); }

//! Owns a file descriptor; closes it once.
class Fd {
public:
    explicit Fd(int fd = -1) : fd_(fd) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() { reset(); }
    int get() const { return fd_; }
    void reset(int fd = -1) {
        if (fd_ >= 0) {
            ::close(fd_);
        }
        fd_ = fd;
    }

private:
    int fd_;
};

std::vector<char*> c_argv(const std::vector<std::string>& argv) {
    std::vector<char*> out;
    for (const auto& a : argv) {
        out.push_back(const_cast<char*>(a.c_str()));
    }
    out.push_back(nullptr);
    return out;
}

// Only async-signal-safe calls from here on: we may be a fork of a multi-threaded process.
void reset_signals_in_child() {
    sigset_t all;
    sigemptyset(&all);
    sigprocmask(SIG_SETMASK, &all, nullptr);
    for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGPIPE, SIGQUIT, SIGCHLD}) {
        signal(sig, SIG_DFL);
    }
}

bool write_all(int fd, const void* data, size_t size) {
    const char* p = static_cast<const char*>(data);
    while (size > 0) {
        ssize_t n = ::write(fd, p, size);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return false;
        }
        p += n;
        size -= static_cast<size_t>(n);
    }
    return true;
}

//! A close-on-exec pipe: the child's exec closes both ends, so EOF tells the parent it ran.
Status open_pipe(Fd& read_end, Fd& write_end) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        return fail(Error::fatal("pipe(): " + errno_text(errno)));
    }
    read_end.reset(fds[0]);
    write_end.reset(fds[1]);
    return {};
}

} // namespace

Result<bool> port_in_use(int port) {
    Fd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (fd.get() < 0) {
        return fail(Error::fatal("socket(): " + errno_text(errno)));
    }
    int one = 1;
    ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
        return false;
    }
    if (errno == EADDRINUSE) {
        return true;
    }
    return fail(Error::fatal("cannot probe 127.0.0.1:" + std::to_string(port) + ": " + errno_text(errno)));
}

bool process_alive(pid_t pid) {
    if (pid <= 0) {
        return false;
    }
    if (::kill(pid, 0) != 0 && errno != EPERM) {
        return false;
    }
    // A zombie still answers kill(0); its state in /proc/<pid>/stat (after "(comm) ") is Z.
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    auto close = text.rfind(')');
    if (close != std::string::npos && close + 2 < text.size()) {
        char state = text[close + 2];
        return state != 'Z' && state != 'X';
    }
    return true;
}

std::string process_cmdline(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    while (!text.empty() && text.back() == '\0') {
        text.pop_back();
    }
    for (char& ch : text) {
        if (ch == '\0') {
            ch = ' ';
        }
    }
    return text;
}

bool is_broker_process(pid_t pid, const fs::path& properties) {
    if (!process_alive(pid)) {
        return false;
    }
    // Whole arguments only: "kafka.KafkaX" or "/a/server.properties.bak" do not match.
    std::string cmd(1, ' ');
    cmd.append(process_cmdline(pid)).push_back(' ');
    auto has_arg = [&cmd](const std::string& arg) {
        std::string needle(1, ' ');
        needle.append(arg).push_back(' ');
        return cmd.find(needle) != std::string::npos;
    };
    return has_arg("kafka.Kafka") && (properties.empty() || has_arg(properties.string()));
}

Result<CapturedRun> run_and_capture(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
    Fd read_end;
    Fd write_end;
    if (auto st = open_pipe(read_end, write_end); !st) {
        return fail(st.error());
    }
    auto args = c_argv(argv);
    pid_t pid = ::fork();
    if (pid < 0) {
        return fail(Error::fatal("fork(): " + errno_text(errno)));
    }
    if (pid == 0) {
        reset_signals_in_child();
        int devnull = ::open("/dev/null", O_RDONLY);
        if (devnull >= 0) {
            ::dup2(devnull, 0);
        }
        ::dup2(write_end.get(), 1);
        ::dup2(write_end.get(), 2);
        ::execv(args[0], args.data());
        const char msg[] = "exec failed\n";
        write_all(2, msg, sizeof msg - 1);
        ::_exit(127);
    }
    write_end.reset();

    CapturedRun run;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    bool timed_out = false;
    char buf[4096];
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            timed_out = true;
            break;
        }
        pollfd pfd{read_end.get(), POLLIN, 0};
        int r = ::poll(&pfd, 1, static_cast<int>(left.count()));
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            timed_out = r == 0;
            break;
        }
        ssize_t n = ::read(read_end.get(), buf, sizeof buf);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        run.output.append(buf, static_cast<size_t>(n));
    }
    if (timed_out) {
        ::kill(pid, SIGKILL);
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (timed_out) {
        return fail(Error::retry(argv[0] + " did not finish within " + std::to_string(timeout.count()) + " ms"));
    }
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return run;
}

namespace {

// spawn_detached's launch report. The middle process sends the grandchild's pid, and the
// grandchild (only if exec fails) its errno, through one close-on-exec pipe. The two writers
// race, so each sends one tagged record in a single write (atomic below PIPE_BUF) and the
// parent reads records in whatever order they came: EOF with a pid and no errno means exec
// succeeded. (An untagged pid-then-errno layout read a pid as an errno when the grandchild won
// the race.)
struct LaunchRecord {
    int32_t kind; // kLaunchPid or kLaunchErrno
    int32_t value;
};
constexpr int32_t kLaunchPid = 1;
constexpr int32_t kLaunchErrno = 2;

void send_launch_record(int fd, int32_t kind, int32_t value) {
    const LaunchRecord rec{kind, value};
    write_all(fd, &rec, sizeof rec);
}

// The grandchild: a session of its own, stdin from /dev/null, stdout and stderr to `out_path`,
// then exec; reports its errno when any step fails.
[[noreturn]] void exec_detached(char* const* args, const std::string& out_path, const std::string& dir, int report_fd) {
    ::setsid();
    int in = ::open("/dev/null", O_RDONLY);
    int out = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    int err = 0;
    if (in < 0 || out < 0 || ::dup2(in, 0) < 0 || ::dup2(out, 1) < 0 || ::dup2(out, 2) < 0 ||
        ::chdir(dir.c_str()) != 0) {
        err = errno;
    } else {
        if (in > 2) {
            ::close(in);
        }
        if (out > 2) {
            ::close(out);
        }
        ::execv(args[0], args);
        err = errno;
    }
    send_launch_record(report_fd, kLaunchErrno, static_cast<int32_t>(err));
    ::_exit(127);
}

struct LaunchReport {
    std::optional<pid_t> child;
    std::optional<int> exec_errno;
};

// Reads records until EOF (every writer gone) or two have come.
LaunchReport read_launch_report(int fd) {
    char buf[2 * sizeof(LaunchRecord)];
    size_t got = 0;
    while (got < sizeof buf) {
        ssize_t n = ::read(fd, buf + got, sizeof buf - got);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        got += static_cast<size_t>(n);
    }
    LaunchReport report;
    for (size_t at = 0; at + sizeof(LaunchRecord) <= got; at += sizeof(LaunchRecord)) {
        LaunchRecord rec{};
        std::memcpy(&rec, buf + at, sizeof rec);
        if (rec.kind == kLaunchPid) {
            report.child = static_cast<pid_t>(rec.value);
        } else if (rec.kind == kLaunchErrno) {
            report.exec_errno = rec.value;
        }
    }
    return report;
}

} // namespace

Result<pid_t> spawn_detached(const std::vector<std::string>& argv, const fs::path& cwd, const fs::path& output) {
    Fd read_end;
    Fd write_end;
    if (auto st = open_pipe(read_end, write_end); !st) {
        return fail(st.error());
    }
    auto args = c_argv(argv);
    const std::string out_path = output.string();
    const std::string dir = cwd.string();

    pid_t middle = ::fork();
    if (middle < 0) {
        return fail(Error::fatal("fork(): " + errno_text(errno)));
    }
    if (middle == 0) {
        reset_signals_in_child();
        pid_t child = ::fork();
        if (child == 0) {
            exec_detached(args.data(), out_path, dir, write_end.get());
        }
        send_launch_record(write_end.get(), kLaunchPid, static_cast<int32_t>(child)); // -1: fork failed
        ::_exit(0);
    }
    write_end.reset();
    int status = 0;
    while (::waitpid(middle, &status, 0) < 0 && errno == EINTR) {
    }

    const LaunchReport report = read_launch_report(read_end.get());
    if (!report.child) {
        return fail(Error::fatal("could not start " + argv[0] + ": the launcher exited early"));
    }
    if (*report.child < 0) {
        return fail(Error::fatal("fork() failed while starting " + argv[0]));
    }
    if (report.exec_errno) {
        return fail(Error::fatal("could not start " + argv[0] + ": " + errno_text(*report.exec_errno) +
                                 " (output file " + out_path + ", working dir " + dir + ")"));
    }
    return *report.child;
}

bool signal_group(pid_t pid, int sig) {
    if (pid <= 0) {
        return false;
    }
    if (::kill(-pid, sig) == 0) {
        return true;
    }
    return ::kill(pid, sig) == 0;
}

std::vector<std::string> tail_lines(const fs::path& file, std::size_t n, std::uintmax_t from) {
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        return {};
    }
    in.seekg(static_cast<std::streamoff>(from));
    std::deque<std::string> lines;
    std::string line;
    while (std::getline(in, line)) {
        lines.push_back(std::move(line));
        if (lines.size() > n) {
            lines.pop_front();
        }
    }
    return {lines.begin(), lines.end()};
}

} // namespace ticklake::broker
