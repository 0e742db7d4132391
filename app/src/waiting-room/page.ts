import { createHash } from "node:crypto";

/**
 * The visitor's page, served by the app at GET /events/:id/queue: plain HTML, CSS and script, no build
 * step. It joins the line (keeping one visitor id per browser in localStorage, so a reload keeps the
 * place), polls the status call as often as the answer suggests, and once admitted turns into a small
 * checkout that sends the order with its Admission-Token. The script and style are inline and pinned
 * by hash in the Content-Security-Policy, so nothing else can run on the page.
 */
const STYLE = `
body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
h1{font-size:1.4rem}.big{font-size:2.4rem;font-weight:700;margin:.2rem 0}
.muted{color:#555}.box{border:1px solid #ccc;border-radius:8px;padding:1rem;margin:1rem 0}
.warn{background:#fff4e5;border-color:#f0b35a}.ok{background:#eefbea;border-color:#7cc36b}
label{display:block;margin:.5rem 0}input,select,button{font:inherit;padding:.3rem}
[hidden]{display:none!important}
`;

const SCRIPT = `
(() => {
  const eventId = location.pathname.split("/")[2];
  const $ = (id) => document.getElementById(id);
  const show = (id) => { for (const s of ["joining", "waiting", "checkout", "done", "lapsed"]) $(s).hidden = s !== id; };
  const say = (text) => { $("note").textContent = text || ""; };
  const store = window.localStorage;
  const ticketKey = "boxoffice.queue." + eventId;
  function visitorId() {
    let id = store.getItem("boxoffice.visitor");
    if (!id) {
      const bytes = crypto.getRandomValues(new Uint8Array(16));
      id = btoa(String.fromCharCode(...bytes)).replace(/\\+/g, "-").replace(/\\//g, "_").replace(/=+$/, "");
      store.setItem("boxoffice.visitor", id);
    }
    return id;
  }
  let token = null;
  const wait = (s) => new Promise((r) => setTimeout(r, s * 1000));
  function duration(s) {
    if (s < 60) return "less than a minute";
    const m = Math.round(s / 60);
    return m < 90 ? "about " + m + " minute" + (m === 1 ? "" : "s") : "about " + Math.round(m / 60) + " hours";
  }
  async function call(method, url, body, headers) {
    const init = { method, headers: Object.assign({ accept: "application/json" }, headers || {}) };
    if (body !== undefined) { init.headers["content-type"] = "application/json"; init.body = JSON.stringify(body); }
    const res = await fetch(url, init);
    return { status: res.status, body: await res.json().catch(() => ({})) };
  }
  async function join() {
    show("joining");
    const r = await call("POST", "/events/" + eventId + "/queue", { visitorId: visitorId() });
    if (r.status === 200 && r.body.waitingRoom === "off") { token = null; return checkout(); }
    if (r.status !== 200 && r.status !== 201) throw new Error(r.body.message || "could not join");
    store.setItem(ticketKey, r.body.queueTicket);
    return render(r.body);
  }
  function render(a) {
    if (a.admitted) { token = a.admissionToken; return checkout(a); }
    if (a.state === "expired") { store.removeItem(ticketKey); show("lapsed"); return "stop"; }
    show("waiting");
    $("state").textContent = a.state === "before-start" ? "The sale has not started yet" : "You are in line";
    $("ahead").textContent = a.aheadOfYou === null ? "–" : String(a.aheadOfYou);
    $("position").textContent = a.position === null ? "drawn at random when the sale starts" : "#" + a.position;
    $("eta").textContent = duration(a.etaSeconds);
    $("paused").hidden = !a.paused;
    return a.pollAfterSeconds || 3;
  }
  async function poll() {
    const ticket = store.getItem(ticketKey);
    if (!ticket) return join();
    const r = await call("GET", "/events/" + eventId + "/queue/" + encodeURIComponent(ticket), undefined, { "visitor-id": visitorId() });
    if (r.status === 200) return render(r.body);
    if ([400, 403, 404, 410].includes(r.status)) { store.removeItem(ticketKey); return join(); }
    throw new Error(r.body.message || "status " + r.status);
  }
  async function checkout() {
    show("checkout");
    const r = await call("GET", "/events/" + eventId);
    if (r.status !== 200) throw new Error("could not load the event");
    $("event-name").textContent = r.body.name;
    const select = $("ticket-type");
    select.replaceChildren(...r.body.ticketTypes.map((t) => {
      const o = document.createElement("option");
      o.value = t.id;
      o.textContent = t.name + " – " + (t.priceCents / 100).toFixed(2) + " (" + t.available + " left)";
      return o;
    }));
    return "stop";
  }
  async function buy(e) {
    e.preventDefault();
    const key = sessionStorage.getItem("boxoffice.order-key." + eventId) || crypto.randomUUID();
    sessionStorage.setItem("boxoffice.order-key." + eventId, key);
    const headers = { "idempotency-key": key };
    if (token) headers["admission-token"] = token;
    $("buy").disabled = true;
    const body = { ticketTypeId: $("ticket-type").value, quantity: Number($("quantity").value), email: $("email").value };
    const r = await call("POST", "/events/" + eventId + "/orders", body, headers).finally(() => { $("buy").disabled = false; });
    if (r.status === 200 || r.status === 201) {
      sessionStorage.removeItem("boxoffice.order-key." + eventId);
      store.removeItem(ticketKey);
      show("done");
      $("order-id").textContent = r.body.id;
      // The QR codes need the order's secret in a header, so they are fetched here and shown inline.
      $("tickets").replaceChildren(...r.body.tickets.map((t) => {
        const li = document.createElement("li");
        li.textContent = "Ticket " + t.id.slice(0, 8);
        fetch("/tickets/" + t.id + "/qr.svg", { headers: { "order-secret": r.body.secret } })
          .then((res) => (res.ok ? res.text() : Promise.reject(new Error(String(res.status)))))
          .then((svg) => {
            const img = document.createElement("img");
            img.alt = "QR code of ticket " + t.id.slice(0, 8);
            img.width = 160;
            img.src = "data:image/svg+xml;base64," + btoa(svg);
            li.append(document.createElement("br"), img);
          })
          .catch(() => undefined);
        return li;
      }));
      return;
    }
    if (r.status < 500) sessionStorage.removeItem("boxoffice.order-key." + eventId);
    if (r.status === 403 && String(r.body.error).startsWith("admission")) { store.removeItem(ticketKey); return run(); }
    say(r.body.message || "the order failed; try again");
  }
  async function run() {
    let backoff = 2;
    for (;;) {
      try {
        const next = await poll();
        if (next === "stop") return;
        say(""); backoff = 2;
        await wait(typeof next === "number" ? next : 3);
      } catch (err) {
        say("Reconnecting… (" + err.message + ")");
        await wait(backoff); backoff = Math.min(30, backoff * 2);
      }
    }
  }
  $("checkout").addEventListener("submit", (e) => void buy(e));
  $("rejoin").addEventListener("click", () => void run());
  void run();
})();
`;

const sha256 = (text: string) => `'sha256-${createHash("sha256").update(text).digest("base64")}'`;

export const PAGE_CSP = [
    "default-src 'none'",
    `script-src ${sha256(SCRIPT)}`,
    `style-src ${sha256(STYLE)}`,
    "connect-src 'self'",
    // data: for the empty favicon link, which spares the browser a request for /favicon.ico.
    "img-src 'self' data:",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
].join("; ");

export const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Waiting room</title>
<link rel="icon" href="data:,">
<style>${STYLE}</style>
</head>
<body>
<h1>Waiting room</h1>
<div id="joining" class="box">Joining the line…</div>
<div id="waiting" class="box" hidden aria-live="polite">
  <p id="state">You are in line</p>
  <p class="muted">People ahead of you</p><p class="big" id="ahead">–</p>
  <p>Your place: <span id="position"></span></p>
  <p>Estimated wait: <strong id="eta"></strong></p>
  <p id="paused" class="box warn" hidden>Admissions are paused for a moment while the platform recovers. You keep your place.</p>
  <p class="muted">Keep this page open; it moves on by itself when it is your turn.</p>
</div>
<form id="checkout" class="box ok" hidden>
  <p><strong>It is your turn.</strong> <span id="event-name"></span></p>
  <label>Ticket <select id="ticket-type" required></select></label>
  <label>Quantity <input id="quantity" type="number" min="1" max="10" value="1" required></label>
  <label>E-mail <input id="email" type="email" required></label>
  <button id="buy" type="submit">Buy</button>
</form>
<div id="done" class="box ok" hidden><p>Order <code id="order-id"></code> confirmed.</p><ul id="tickets"></ul></div>
<div id="lapsed" class="box warn" hidden><p>Your turn passed without an order.</p><button id="rejoin" type="button">Join the line again</button></div>
<p id="note" class="muted" role="status"></p>
<script>${SCRIPT}</script>
</body>
</html>
`;
