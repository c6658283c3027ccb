// The table browser: the catalog's tables, and for the chosen one its columns, totals,
// partitions, latest files and schema versions.
import { api } from "./api.js";
import { $, el, fillTable, showError, bytes } from "./dom.js";

export async function loadTables() {
  showError("#tables-error", null);
  const list = $("#table-list");
  try {
    const tables = await api.get("/api/catalog/tables");
    list.replaceChildren(...tables.map((t) => {
      const name = `${t.database}.${t.name}`;
      const b = el("button", { "data-table": name, class: "item" }, name);
      b.addEventListener("click", () => openTable(name));
      return el("li", {}, b, el("span", { class: "muted" }, ` ${t.rows.toLocaleString()} rows, ${bytes(t.bytes)}`));
    }));
    if (!tables.length) list.append(el("li", { class: "muted" }, "no tables yet: run a sink or `ticklake crawl`"));
  } catch (e) {
    showError("#tables-error", e);
  }
}

// Up and down move between the table buttons (Enter or Space opens one, as any button).
export function listKeys(list) {
  list.addEventListener("keydown", (ev) => {
    if (ev.key !== "ArrowDown" && ev.key !== "ArrowUp") return;
    const items = [...list.querySelectorAll("button")];
    const i = items.indexOf(document.activeElement);
    const next = items[Math.max(0, Math.min(items.length - 1, i + (ev.key === "ArrowDown" ? 1 : -1)))];
    if (next) { next.focus(); ev.preventDefault(); }
  });
}

export async function openTable(name) {
  const detail = $("#table-detail");
  detail.replaceChildren(el("h2", {}, name), el("p", { class: "muted" }, "loading..."));
  for (const b of document.querySelectorAll("#table-list button")) b.setAttribute("aria-current", b.dataset.table === name);
  const q = `?table=${encodeURIComponent(name)}`;
  try {
    const [d, parts, files, hist] = await Promise.all([
      api.get(`/api/catalog/describe${q}`), api.get(`/api/catalog/partitions${q}`),
      api.get(`/api/catalog/files${q}`), api.get(`/api/catalog/history${q}`)]);
    const cols = el("table", { class: "grid", id: "table-columns" });
    fillTable(cols, ["column", "type"], [...d.columns.map((c) => [c.name, c.type]),
      ...d.partition_keys.map((c) => [`${c.name} (partition)`, c.type])]);
    const pt = el("table", { class: "grid", id: "table-partitions" });
    fillTable(pt, ["partition", "files", "rows", "bytes"],
      parts.map((p) => [p.values.join("/"), p.files, p.rows.toLocaleString(), bytes(p.bytes)]), [false, true, true, true]);
    const ft = el("table", { class: "grid", id: "table-files" });
    fillTable(ft, ["file (newest first)", "rows", "bytes", "modified"],
      files.slice(0, 50).map((f) => [f.key, f.rows.toLocaleString(), bytes(f.size), f.modified]), [false, true, true, false]);
    const vt = el("table", { class: "grid", id: "table-versions" });
    fillTable(vt, ["version", "when", "columns", "why"],
      hist.map((v) => [v.version, v.created_at, v.columns.length, v.reason]), [true, false, true, false]);
    detail.replaceChildren(
      el("h2", {}, name),
      el("p", { id: "table-totals" },
        `${d.format}, ${d.partitions} partitions, ${d.files} files, ${d.rows.toLocaleString()} rows, ${bytes(d.bytes)}; ` +
        `schema version ${d.schema_version}; ${d.location}`),
      el("h3", {}, "Schema"), cols, el("h3", {}, "Partitions"), pt,
      el("h3", {}, "Files"), ft, el("h3", {}, "Schema versions"), vt);
  } catch (e) {
    detail.replaceChildren(el("h2", {}, name), el("p", { class: "error", role: "alert" }, e.message));
  }
}
