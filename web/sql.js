// The SQL editor: Ctrl-Enter runs, the grid shows the rows, the status line the bytes scanned,
// the history keeps the last statements (this browser only), and the result downloads as CSV.
import { api } from "./api.js";
import { $, el, fillTable, showError, bytes } from "./dom.js";

const HISTORY = "ticklake-sql-history";
let last = null;

function history() { return JSON.parse(localStorage.getItem(HISTORY) || "[]"); }

function showHistory() {
  const list = $("#sql-history");
  list.replaceChildren(...history().map((sql) => {
    const b = el("button", { class: "item code" }, sql);
    b.addEventListener("click", () => { $("#sql-editor").value = sql; $("#sql-editor").focus(); });
    return el("li", {}, b);
  }));
}

function remember(sql) {
  const h = [sql, ...history().filter((s) => s !== sql)].slice(0, 30);
  localStorage.setItem(HISTORY, JSON.stringify(h));
  showHistory();
}

export async function runSql() {
  const sql = $("#sql-editor").value.trim();
  if (!sql) return;
  showError("#sql-error", null);
  $("#sql-status").textContent = "running...";
  $("#run-sql").disabled = true;
  try {
    const r = await api.query(sql);
    last = r;
    fillTable($("#sql-grid"), r.columns.map((c) => c.name), r.rows,
      r.columns.map((c) => /INT|DOUBLE|FLOAT|DECIMAL/.test(c.type)));
    $("#sql-status").textContent =
      `${r.row_count} rows${r.truncated ? ` (first ${r.rows.length} shown)` : ""} in ${r.stats.elapsed_s.toFixed(3)} s, ` +
      `${r.stats.files_read} files, ${bytes(r.stats.bytes_scanned)} scanned`;
    $("#sql-status").dataset.bytesScanned = r.stats.bytes_scanned;
    $("#download-csv").disabled = false;
    remember(sql);
  } catch (e) {
    $("#sql-status").textContent = "";
    showError("#sql-error", e);
  } finally {
    $("#run-sql").disabled = false;
  }
}

function csvCell(v) {
  if (v === null) return "";
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

function downloadCsv() {
  if (!last) return;
  const lines = [last.columns.map((c) => csvCell(c.name)).join(","), ...last.rows.map((r) => r.map(csvCell).join(","))];
  const url = URL.createObjectURL(new Blob([lines.join("\r\n") + "\r\n"], { type: "text/csv" }));
  const a = el("a", { href: url, download: "result.csv" });
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function initSql() {
  $("#run-sql").addEventListener("click", runSql);
  $("#download-csv").addEventListener("click", downloadCsv);
  $("#sql-editor").addEventListener("keydown", (ev) => {
    if ((ev.ctrlKey || ev.metaKey) && ev.key === "Enter") { ev.preventDefault(); runSql(); }
  });
  showHistory();
}
