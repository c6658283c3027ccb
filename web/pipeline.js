// The pipeline view: watched sinks' counters and lag (from their /metrics, through
// /api/status), ingest rate and lag over time (kept while the page is open), dead letters by
// reason, the latest files, and the tables' totals.
import { createChart, LineSeries } from "/vendor/lightweight-charts.mjs";
import { chartLayout } from "./chart.js";
import { api } from "./api.js";
import { $, fillTable, showError, bytes } from "./dom.js";

let timer = null;
let ingestChart, ingestLine, lagChart, lagLine;
let previous = null;
const ingest = [];
const lag = [];

function sum(samples, name) {
  return samples.filter((s) => s.name === name).reduce((a, s) => a + s.value, 0);
}

function ensureCharts() {
  if (ingestChart) return;
  const o = { autoSize: true, layout: chartLayout, timeScale: { timeVisible: true, secondsVisible: true } };
  ingestChart = createChart($("#ingest-chart"), o);
  ingestLine = ingestChart.addSeries(LineSeries, { color: "#2962ff", lineWidth: 2 });
  lagChart = createChart($("#lag-chart"), o);
  lagLine = lagChart.addSeries(LineSeries, { color: "#d33", lineWidth: 2 });
}

export async function refreshPipeline() {
  try {
    const s = await api.get("/api/status");
    showError("#pipeline-error", s.dead_letters_error ? new Error(s.dead_letters_error) : null);
    $("#pipeline-updated").textContent = `updated ${s.time}`;
    const now = Math.floor(Date.now() / 1000);
    const consumed = s.sinks.reduce((a, k) => a + sum(k.samples, "ticklake_sink_messages_consumed_total"), 0);
    const lagNow = s.sinks.reduce((a, k) => a + sum(k.samples, "ticklake_sink_consumer_lag_messages"), 0);
    fillTable($("#sinks"), ["sink /metrics", "state", "consumed", "rows written", "lag", "buffered rows", "partitions"],
      s.sinks.map((k) => [k.url, k.error || "up", sum(k.samples, "ticklake_sink_messages_consumed_total"),
        sum(k.samples, "ticklake_sink_rows_written_total"), sum(k.samples, "ticklake_sink_consumer_lag_messages"),
        sum(k.samples, "ticklake_sink_buffered_rows"), sum(k.samples, "ticklake_sink_assigned_partitions")]),
      [false, false, true, true, true, true, true]);
    if (!s.sinks.length) {
      fillTable($("#sinks"), ["sink /metrics"], [["none watched: start serve with --watch http://HOST:PORT/metrics of a sink"]]);
    }
    try {
      ensureCharts();
      if (s.sinks.length) {
        if (previous && now > previous.t) ingest.push({ time: now, value: Math.max(0, (consumed - previous.c) / (now - previous.t)) });
        lag.push({ time: now, value: lagNow });
        previous = { t: now, c: consumed };
        ingestLine.setData(ingest.slice(-720));
        lagLine.setData(lag.slice(-720));
      }
    } catch (e) {
      showError("#pipeline-error", e);
    }
    const byReason = new Map();
    for (const k of s.sinks) {
      for (const m of k.samples.filter((m) => m.name === "ticklake_sink_dead_letters_total")) {
        byReason.set(m.labels.reason, (byReason.get(m.labels.reason) || 0) + m.value);
      }
    }
    const rows = s.dead_letters.map((d) => [d.table, d.reason, d.count]);
    for (const [reason, n] of byReason) rows.push(["(watched sinks)", reason, n]);
    fillTable($("#dead-letters"), ["table", "reason", "count"], rows.length ? rows : [["", "none", 0]], [false, false, true]);
    fillTable($("#latest-files"), ["table", "file", "rows", "bytes", "modified"],
      (s.latest_files || []).map((f) => [f.table, f.key, f.rows.toLocaleString(), bytes(f.size), f.modified]),
      [false, false, true, true, false]);
    fillTable($("#pipeline-tables"), ["table", "partitions", "files", "rows", "bytes"],
      (s.tables || []).map((t) => [`${t.database}.${t.name}`, t.partitions, t.files, t.rows.toLocaleString(), bytes(t.bytes)]),
      [false, true, true, true, true]);
  } catch (e) {
    showError("#pipeline-error", e);
  }
}

export function startPipeline() {
  refreshPipeline();
  if (!timer) timer = setInterval(refreshPipeline, 5000);
}

export function stopPipeline() {
  clearInterval(timer);
  timer = null;
}
