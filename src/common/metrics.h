// Process metrics: counters, gauges and fixed-bucket histograms with labels, rendered in the
// Prometheus text exposition format 0.0.4 (docs/metrics.md lists every metric ticklake has).
//
// Written here rather than taken from a library: prometheus-cpp is not packaged in this
// Debian, and the text format is small and fully specified.
//
// The hot path is an atomic add on a metric the caller looked up once and kept: a family's
// labels(...) takes a lock and a map lookup, so callers keep the returned reference (it stays
// valid as long as the registry) and never look up per message.
//
// @locality every method is thread-safe: stages update from their own threads while the HTTP
// server's thread renders.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

namespace ticklake::metrics {

class Counter {
public:
    void inc(uint64_t n = 1) noexcept { value_.fetch_add(n, std::memory_order_relaxed); }
    //! Mirrors a total counted elsewhere (librdkafka's statistics, a source's counters). The
    //! caller keeps it monotonic; a smaller value (a restarted client) is ignored.
    void set_total(uint64_t total) noexcept;
    uint64_t value() const noexcept { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<uint64_t> value_{0};
};

class Gauge {
public:
    void set(double v) noexcept { value_.store(v, std::memory_order_relaxed); }
    void add(double v) noexcept { value_.fetch_add(v, std::memory_order_relaxed); }
    double value() const noexcept { return value_.load(std::memory_order_relaxed); }

private:
    std::atomic<double> value_{0};
};

//! Cumulative buckets fixed at creation (upper bounds, ascending; +Inf is implicit).
class Histogram {
public:
    explicit Histogram(std::vector<double> bounds);
    //! `count` observations of `value` at once (e.g. every row of a batch at its latency).
    void observe(double value, uint64_t count = 1) noexcept;

    struct Snapshot {
        std::vector<double> bounds;
        std::vector<uint64_t> cumulative; //!< per bound, then +Inf (== count)
        double sum = 0;
        uint64_t count = 0;
    };
    //! A render-time copy; concurrent observations may land in it partly (as in every client).
    Snapshot snapshot() const;
    const std::vector<double>& bounds() const { return bounds_; }

private:
    std::vector<double> bounds_;
    std::unique_ptr<std::atomic<uint64_t>[]> buckets_; //!< per bound, then +Inf; not cumulative
    std::atomic<double> sum_{0};
    std::atomic<uint64_t> count_{0};
};

enum class Type { counter, gauge, histogram };

//! Common part of a family: name, help, label names, type.
class FamilyBase {
public:
    FamilyBase(std::string name, std::string help, Type type, std::vector<std::string> label_names);
    virtual ~FamilyBase() = default;
    const std::string& name() const { return name_; }
    const std::string& help() const { return help_; }
    Type type() const { return type_; }
    const std::vector<std::string>& label_names() const { return label_names_; }
    //! Appends "# HELP", "# TYPE" and every child's samples to out.
    virtual void render(std::string& out) const = 0;

protected:
    //! `{a="x",b="y"}` (with `extra` label appended, e.g. le), or "" with no labels at all.
    std::string label_text(const std::vector<std::string>& values, std::string_view extra_name = {},
                           std::string_view extra_value = {}) const;
    std::string name_;
    std::string help_;
    Type type_;
    std::vector<std::string> label_names_;
};

//! A metric and its children by label values.
template <class M>
class Family : public FamilyBase {
public:
    Family(std::string name, std::string help, Type type, std::vector<std::string> label_names,
           std::vector<double> bounds = {})
        : FamilyBase(std::move(name), std::move(help), type, std::move(label_names)), bounds_(std::move(bounds)) {}

    //! The child for these label values (one per label name, in order), made on first use.
    //! Takes a lock: keep the reference rather than calling this per message.
    M& labels(const std::vector<std::string>& values);
    //! The child of a family without labels.
    M& get() { return labels({}); }
    //! Drops a child (a partition given up): only for children nobody keeps a reference to.
    void remove(const std::vector<std::string>& values) {
        std::lock_guard lock(mu_);
        children_.erase(values);
    }
    void render(std::string& out) const override;

private:
    mutable std::mutex mu_;
    std::vector<double> bounds_; //!< histograms only
    std::map<std::vector<std::string>, std::unique_ptr<M>> children_;
};

template <>
void Family<Counter>::render(std::string& out) const;
template <>
void Family<Gauge>::render(std::string& out) const;
template <>
void Family<Histogram>::render(std::string& out) const;
extern template class Family<Counter>;
extern template class Family<Gauge>;
extern template class Family<Histogram>;

//! Owns families; one per process in production (process_registry()), one per test elsewhere.
class Registry {
public:
    //! The family of that name, made on first use. Asking again with the same type returns the
    //! same family (so independent hooks can share one); another type or label set is a
    //! programming error (std::logic_error).
    Family<Counter>& counter(const std::string& name, const std::string& help, std::vector<std::string> labels = {});
    Family<Gauge>& gauge(const std::string& name, const std::string& help, std::vector<std::string> labels = {});
    Family<Histogram>& histogram(const std::string& name, const std::string& help, std::vector<double> bounds,
                                 std::vector<std::string> labels = {});
    //! Every family in name order, in the text format 0.0.4.
    std::string render() const;

private:
    template <class M>
    Family<M>& family(const std::string& name, const std::string& help, Type type, std::vector<std::string> labels,
                      std::vector<double> bounds);
    mutable std::mutex mu_;
    std::map<std::string, std::unique_ptr<FamilyBase>> families_;
};

//! The registry the stages record into and `--metrics-addr` serves.
Registry& process_registry();

//! The Content-Type of render()'s text.
inline constexpr std::string_view kTextContentType = "text/plain; version=0.0.4; charset=utf-8";

//! Exposition escapes: a label value escapes \ " and newline; HELP text escapes \ and newline.
std::string escape_label_value(std::string_view v);
std::string escape_help(std::string_view v);
//! A sample value as the format writes it: shortest round-trip digits, +Inf, -Inf, NaN.
std::string format_value(double v);

//! Latency buckets in seconds, from 1 ms to 1 h (commit and event-to-durable latencies).
std::vector<double> latency_buckets_seconds();

} // namespace ticklake::metrics
