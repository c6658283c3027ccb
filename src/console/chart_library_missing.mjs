// Stands in for lightweight-charts when setup has not installed it (web/package.json).
export function createChart() {
  throw new Error("the chart library is not built in: run `setup/setup.sh web` and rebuild ticklake");
}
export const CandlestickSeries = null;
export const HistogramSeries = null;
export const LineSeries = null;
