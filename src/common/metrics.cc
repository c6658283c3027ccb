#include "common/metrics.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

namespace ticklake::metrics {

void Counter::set_total(uint64_t total) noexcept {
    uint64_t seen = value_.load(std::memory_order_relaxed);
    while (seen < total && !value_.compare_exchange_weak(seen, total, std::memory_order_relaxed)) {
    }
}

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), buckets_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
    if (!std::is_sorted(bounds_.begin(), bounds_.end()) ||
        std::adjacent_find(bounds_.begin(), bounds_.end()) != bounds_.end()) {
        throw std::logic_error("histogram bounds must be strictly ascending");
    }
    for (size_t i = 0; i <= bounds_.size(); ++i) {
        buckets_[i].store(0, std::memory_order_relaxed);
    }
}

void Histogram::observe(double value, uint64_t count) noexcept {
    // Buckets are "less than or equal": a value on a bound counts in that bound's bucket.
    const size_t i = static_cast<size_t>(std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin());
    buckets_[i].fetch_add(count, std::memory_order_relaxed);
    sum_.fetch_add(value * static_cast<double>(count), std::memory_order_relaxed);
    count_.fetch_add(count, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const {
    Snapshot s;
    s.bounds = bounds_;
    uint64_t running = 0;
    for (size_t i = 0; i <= bounds_.size(); ++i) {
        running += buckets_[i].load(std::memory_order_relaxed);
        s.cumulative.push_back(running);
    }
    s.sum = sum_.load(std::memory_order_relaxed);
    // The +Inf bucket is the count by definition; reading both from the buckets keeps them
    // equal even while observations land.
    s.count = running;
    return s;
}

FamilyBase::FamilyBase(std::string name, std::string help, Type type, std::vector<std::string> label_names)
    : name_(std::move(name)), help_(std::move(help)), type_(type), label_names_(std::move(label_names)) {}

std::string FamilyBase::label_text(const std::vector<std::string>& values, std::string_view extra_name,
                                   std::string_view extra_value) const {
    if (values.empty() && extra_name.empty()) {
        return {};
    }
    std::string out = "{";
    for (size_t i = 0; i < values.size(); ++i) {
        out += fmt::format("{}{}=\"{}\"", i == 0 ? "" : ",", label_names_[i], escape_label_value(values[i]));
    }
    if (!extra_name.empty()) {
        out += fmt::format("{}{}=\"{}\"", values.empty() ? "" : ",", extra_name, escape_label_value(extra_value));
    }
    out += "}";
    return out;
}

namespace {

const char* type_name(Type t) {
    switch (t) {
    case Type::counter: return "counter";
    case Type::gauge: return "gauge";
    case Type::histogram: return "histogram";
    }
    return "untyped";
}

void render_header(std::string& out, const FamilyBase& f) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", f.name(), escape_help(f.help()), f.name(), type_name(f.type()));
}

} // namespace

template <class M>
M& Family<M>::labels(const std::vector<std::string>& values) {
    if (values.size() != label_names_.size()) {
        throw std::logic_error(fmt::format("metric {} takes {} label values, not {}", name_, label_names_.size(),
                                           values.size()));
    }
    std::lock_guard lock(mu_);
    auto& slot = children_[values];
    if (!slot) {
        if constexpr (std::is_same_v<M, Histogram>) {
            slot = std::make_unique<Histogram>(bounds_);
        } else {
            slot = std::make_unique<M>();
        }
    }
    return *slot;
}

template <>
void Family<Counter>::render(std::string& out) const {
    render_header(out, *this);
    std::lock_guard lock(mu_);
    for (const auto& [values, c] : children_) {
        out += fmt::format("{}{} {}\n", name_, label_text(values), c->value());
    }
}

template <>
void Family<Gauge>::render(std::string& out) const {
    render_header(out, *this);
    std::lock_guard lock(mu_);
    for (const auto& [values, g] : children_) {
        out += fmt::format("{}{} {}\n", name_, label_text(values), format_value(g->value()));
    }
}

template <>
void Family<Histogram>::render(std::string& out) const {
    render_header(out, *this);
    std::lock_guard lock(mu_);
    for (const auto& [values, h] : children_) {
        const auto s = h->snapshot();
        for (size_t i = 0; i < s.bounds.size(); ++i) {
            out += fmt::format("{}_bucket{} {}\n", name_, label_text(values, "le", format_value(s.bounds[i])),
                               s.cumulative[i]);
        }
        out += fmt::format("{}_bucket{} {}\n", name_, label_text(values, "le", "+Inf"), s.count);
        out += fmt::format("{}_sum{} {}\n", name_, label_text(values), format_value(s.sum));
        out += fmt::format("{}_count{} {}\n", name_, label_text(values), s.count);
    }
}

template class Family<Counter>;
template class Family<Gauge>;
template class Family<Histogram>;

template <class M>
Family<M>& Registry::family(const std::string& name, const std::string& help, Type type,
                            std::vector<std::string> labels, std::vector<double> bounds) {
    std::lock_guard lock(mu_);
    auto& slot = families_[name];
    if (!slot) {
        slot = std::make_unique<Family<M>>(name, help, type, std::move(labels), std::move(bounds));
        return static_cast<Family<M>&>(*slot);
    }
    if (slot->type() != type || slot->label_names() != labels) {
        throw std::logic_error("metric " + name + " registered twice with another type or other labels");
    }
    return static_cast<Family<M>&>(*slot);
}

Family<Counter>& Registry::counter(const std::string& name, const std::string& help, std::vector<std::string> labels) {
    return family<Counter>(name, help, Type::counter, std::move(labels), {});
}

Family<Gauge>& Registry::gauge(const std::string& name, const std::string& help, std::vector<std::string> labels) {
    return family<Gauge>(name, help, Type::gauge, std::move(labels), {});
}

Family<Histogram>& Registry::histogram(const std::string& name, const std::string& help, std::vector<double> bounds,
                                       std::vector<std::string> labels) {
    return family<Histogram>(name, help, Type::histogram, std::move(labels), std::move(bounds));
}

std::string Registry::render() const {
    std::string out;
    std::lock_guard lock(mu_);
    for (const auto& [name, f] : families_) {
        f->render(out);
    }
    return out;
}

Registry& process_registry() {
    static Registry registry;
    return registry;
}

std::string escape_label_value(std::string_view v) {
    std::string out;
    out.reserve(v.size());
    for (char c : v) {
        switch (c) {
        case '\\': out += "\\\\"; break;
        case '"': out += "\\\""; break;
        case '\n': out += "\\n"; break;
        default: out.push_back(c);
        }
    }
    return out;
}

std::string escape_help(std::string_view v) {
    std::string out;
    out.reserve(v.size());
    for (char c : v) {
        switch (c) {
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        default: out.push_back(c);
        }
    }
    return out;
}

std::string format_value(double v) {
    if (std::isnan(v)) {
        return "NaN";
    }
    if (std::isinf(v)) {
        return v > 0 ? "+Inf" : "-Inf";
    }
    return fmt::format("{}", v);
}

std::vector<double> latency_buckets_seconds() {
    return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600};
}

} // namespace ticklake::metrics
