// The console's API client: every request carries the token when there is one; an error answer
// ({"error": ...}) becomes an Error with that message, so each view shows it where it happened.

const KEY = "ticklake-token";

export function takeTokenFromUrl() {
  // #token=... is never sent to the server or kept in the address bar.
  const m = location.hash.match(/token=([^&]+)/);
  if (m) {
    sessionStorage.setItem(KEY, decodeURIComponent(m[1]));
    history.replaceState(null, "", location.pathname);
  }
}

export function setToken(t) { sessionStorage.setItem(KEY, t); }

let onUnauthorized = () => {};
export function whenUnauthorized(f) { onUnauthorized = f; }

export class ApiError extends Error {
  constructor(message, status) { super(message); this.status = status; }
}

async function call(path, options = {}) {
  const headers = { ...(options.headers || {}) };
  const token = sessionStorage.getItem(KEY);
  if (token) headers.Authorization = `Bearer ${token}`;
  let res;
  try {
    res = await fetch(path, { ...options, headers });
  } catch (e) {
    throw new ApiError(`the console's server did not answer (${e.message})`, 0);
  }
  const text = await res.text();
  let body = null;
  try { body = JSON.parse(text); } catch { body = null; }
  if (!res.ok) {
    if (res.status === 401) onUnauthorized();
    throw new ApiError(body && body.error ? body.error : `HTTP ${res.status}: ${text.slice(0, 200)}`, res.status);
  }
  return body;
}

export const api = {
  get: (path) => call(path),
  query: (sql) => call("/api/query", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ sql }),
  }),
};
