// The chart view: candlesticks with volume and a VWAP line for one symbol (lightweight-charts,
// built into the binary from npm), zoom and pan with the mouse or the keyboard, and the spread of
// the symbol's quotes below. Bars come from the lake through /api/ohlcv and /api/spread.
import { createChart, CandlestickSeries, HistogramSeries, LineSeries } from "/vendor/lightweight-charts.mjs";
import { api } from "./api.js";
import { $, showError } from "./dom.js";

let chart = null;
let candles, volume, vwap, spreadChart, spreadLine;

// The library's attribution logo comes with a <style> element that the CSP refuses; the page's
// footer carries the attribution instead (the library's NOTICE asks for one or the other).
export const chartLayout = { background: { color: "#ffffff" }, textColor: "#222", attributionLogo: false };

const options = {
  layout: chartLayout,
  timeScale: { timeVisible: true, secondsVisible: false },
  autoSize: true,
};

function ensureCharts() {
  if (chart) return;
  chart = createChart($("#chart"), options);
  candles = chart.addSeries(CandlestickSeries, {});
  volume = chart.addSeries(HistogramSeries, { priceFormat: { type: "volume" }, priceScaleId: "volume", color: "#8aa4c8" });
  chart.priceScale("volume").applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
  candles.priceScale().applyOptions({ scaleMargins: { top: 0.05, bottom: 0.25 } });
  vwap = chart.addSeries(LineSeries, { color: "#e08a00", lineWidth: 2, priceLineVisible: false, lastValueVisible: false });
  spreadChart = createChart($("#spread-chart"), options);
  spreadLine = spreadChart.addSeries(LineSeries, { color: "#5a5", lineWidth: 1 });
}

function params() {
  const p = new URLSearchParams({
    table: $("#chart-table").value.trim(), symbol: $("#chart-symbol").value.trim(), interval: $("#chart-interval").value,
  });
  if ($("#chart-from").value.trim()) p.set("from", $("#chart-from").value.trim());
  if ($("#chart-to").value.trim()) p.set("to", $("#chart-to").value.trim());
  return p;
}

export async function loadChart() {
  showError("#chart-error", null);
  showError("#spread-error", null);
  const summary = $("#chart-summary");
  summary.textContent = "loading...";
  try {
    ensureCharts();
  } catch (e) {
    summary.textContent = "";
    showError("#chart-error", e);
    return;
  }
  const p = params();
  try {
    const r = await api.get(`/api/ohlcv?${p}`);
    const ix = Object.fromEntries(r.columns.map((c, i) => [c.name, i]));
    const bars = r.rows.map((row) => ({
      time: row[ix.time], open: row[ix.open], high: row[ix.high], low: row[ix.low], close: row[ix.close],
    }));
    candles.setData(bars);
    volume.setData(r.rows.map((row) => ({
      time: row[ix.time], value: row[ix.volume],
      color: row[ix.close] >= row[ix.open] ? "rgba(38,166,154,0.5)" : "rgba(239,83,80,0.5)",
    })));
    vwap.setData($("#chart-vwap").checked ? r.rows.map((row) => ({ time: row[ix.time], value: row[ix.vwap] })) : []);
    chart.timeScale().fitContent();
    summary.dataset.count = bars.length;
    summary.dataset.first = bars.length ? JSON.stringify(bars[0]) : "";
    const first = bars.length ? new Date(bars[0].time * 1000).toISOString().slice(0, 16).replace("T", " ") : "";
    summary.textContent = bars.length
      ? `${bars.length} candles of ${p.get("symbol")} at ${p.get("interval")} from ${first} UTC; ` +
        `${r.stats.summary}. Drag to pan, wheel to zoom; arrow keys pan, + and - zoom.`
      : `no trades of ${p.get("symbol")} in ${p.get("table")} for that range`;
  } catch (e) {
    summary.textContent = "";
    showError("#chart-error", e);
  }
  const quotes = $("#chart-quotes").value.trim();
  if (!quotes) return;
  p.set("table", quotes);
  try {
    const s = await api.get(`/api/spread?${p}`);
    spreadLine.setData(s.rows.map((row) => ({ time: row[0], value: row[1] })));
    spreadChart.timeScale().fitContent();
  } catch (e) {
    spreadLine.setData([]);
    showError("#spread-error", e);
  }
}

// Keyboard zoom and pan on the focused chart: arrows move by a tenth of the view, + and - zoom.
function chartKeys(container, get) {
  container.tabIndex = 0;
  container.setAttribute("aria-label", "chart: arrow keys pan, + and - zoom");
  container.addEventListener("keydown", (ev) => {
    const c = get();
    if (!c) return;
    const ts = c.timeScale();
    const range = ts.getVisibleLogicalRange();
    if (!range) return;
    const width = range.to - range.from;
    let from = range.from, to = range.to;
    if (ev.key === "ArrowLeft") { from -= width / 10; to -= width / 10; }
    else if (ev.key === "ArrowRight") { from += width / 10; to += width / 10; }
    else if (ev.key === "+" || ev.key === "=") { from += width / 4; to -= width / 4; }
    else if (ev.key === "-") { from -= width / 2; to += width / 2; }
    else return;
    ev.preventDefault();
    ts.setVisibleLogicalRange({ from, to });
  });
}

export function initChart() {
  $("#chart-form").addEventListener("submit", (ev) => { ev.preventDefault(); loadChart(); });
  chartKeys($("#chart"), () => chart);
  chartKeys($("#spread-chart"), () => spreadChart);
}
