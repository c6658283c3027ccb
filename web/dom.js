// Small DOM helpers: elements are built with textContent only (never innerHTML), so nothing a
// table or a query returns can become markup.

export const $ = (sel) => document.querySelector(sel);

export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v;
    else if (k.startsWith("data-")) e.setAttribute(k, v);
    else e[k] = v;
  }
  for (const c of children) e.append(c instanceof Node ? c : document.createTextNode(String(c ?? "")));
  return e;
}

export function showError(id, err) {
  const p = $(id);
  if (!err) { p.hidden = true; p.textContent = ""; return; }
  p.textContent = err.message || String(err);
  p.hidden = false;
}

// A table of rows (arrays) under column names; numbers aligned right.
export function fillTable(table, columns, rows, numeric = []) {
  table.replaceChildren();
  const head = el("tr", {}, ...columns.map((c) => el("th", { scope: "col" }, c)));
  table.append(el("thead", {}, head));
  const body = el("tbody");
  for (const r of rows) {
    body.append(el("tr", {}, ...r.map((v, i) => el("td", numeric[i] ? { class: "num" } : {}, v === null ? "NULL" : v))));
  }
  table.append(body);
}

export function bytes(n) {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
  return `${i ? n.toFixed(1) : n} ${units[i]}`;
}
