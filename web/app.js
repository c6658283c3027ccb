// The console's page: four views behind tabs (Alt+1..4, or arrow keys on the tabs), the address's
// #view keeps the one shown, and a token form appears when the server asks for a token.
import { takeTokenFromUrl, setToken, whenUnauthorized } from "./api.js";
import { $ } from "./dom.js";
import { loadTables, listKeys } from "./tables.js";
import { initSql } from "./sql.js";
import { initChart, loadChart } from "./chart.js";
import { startPipeline, stopPipeline } from "./pipeline.js";

const VIEWS = ["tables", "sql", "chart", "pipeline"];
const loaded = new Set();

function show(view, focus = false) {
  if (!VIEWS.includes(view)) view = "tables";
  for (const v of VIEWS) {
    const tab = $(`#tab-${v}`);
    tab.setAttribute("aria-selected", v === view);
    tab.tabIndex = v === view ? 0 : -1;
    $(`#view-${v}`).hidden = v !== view;
  }
  if (focus) $(`#tab-${view}`).focus();
  if (location.hash !== `#${view}`) history.replaceState(null, "", `#${view}`);
  if (view === "pipeline") startPipeline(); else stopPipeline();
  if (!loaded.has(view)) {
    loaded.add(view);
    if (view === "tables") loadTables();
    if (view === "chart") loadChart();
  }
}

function init() {
  takeTokenFromUrl();
  whenUnauthorized(() => { $("#token-form").hidden = false; $("#token-input").focus(); });
  $("#token-form").addEventListener("submit", (ev) => {
    ev.preventDefault();
    setToken($("#token-input").value.trim());
    $("#token-form").hidden = true;
    loaded.clear();
    show(location.hash.slice(1));
  });
  const tabs = $("#views");
  tabs.addEventListener("click", (ev) => { if (ev.target.dataset.view) show(ev.target.dataset.view); });
  tabs.addEventListener("keydown", (ev) => {
    const i = VIEWS.indexOf(document.activeElement.dataset.view);
    if (i < 0) return;
    if (ev.key === "ArrowRight") show(VIEWS[(i + 1) % VIEWS.length], true);
    else if (ev.key === "ArrowLeft") show(VIEWS[(i + VIEWS.length - 1) % VIEWS.length], true);
    else return;
    ev.preventDefault();
  });
  document.addEventListener("keydown", (ev) => {
    if (ev.altKey && ev.key >= "1" && ev.key <= "4") { ev.preventDefault(); show(VIEWS[Number(ev.key) - 1], true); }
  });
  listKeys($("#table-list"));
  initSql();
  initChart();
  show(location.hash.slice(1) || "tables");
}

init();
