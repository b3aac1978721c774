// The admin dashboard of wharf serve --admin: one WebSocket (api/live) pushes the socket table as
// connections open and close, and once a second a sample for the charts and fresh counters.
"use strict";
(() => {
  const KEEP = 300; // samples: five minutes, as the server keeps
  const data = { t: [], connections: [], requests: [], bytesIn: [], bytesOut: [] };
  const rows = new Map(); // id -> row object
  const $ = (id) => document.getElementById(id);

  const bytes = (n) => {
    const units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i === 0 ? n : n.toFixed(1)) + " " + units[i];
  };
  const duration = (ms) => {
    const s = Math.floor(ms / 1000);
    if (s < 60) return s + " s";
    if (s < 3600) return Math.floor(s / 60) + " min " + (s % 60) + " s";
    return Math.floor(s / 3600) + " h " + Math.floor((s % 3600) / 60) + " min";
  };

  function cells(tr, values) {
    tr.replaceChildren(...values.map(([text, numeric]) => {
      const td = document.createElement("td");
      td.textContent = text;
      if (numeric) td.className = "n";
      return td;
    }));
  }

  function rowCells(r) {
    return [[String(r.id), true], [r.local], [r.remote], [r.protocol], [r.state],
      [bytes(r.bytesIn), true], [bytes(r.bytesOut), true],
      [duration(Date.now() - r.opened), true], [duration(r.idleMs), true],
      [(r.channels || []).join(", ")]];
  }

  function upsert(r, fresh) {
    const body = $("connections").tBodies[0];
    let tr = body.querySelector(`tr[data-id="${r.id}"]`);
    if (!tr) {
      tr = document.createElement("tr");
      tr.dataset.id = r.id;
      tr.dataset.remote = r.remote;
      if (fresh) tr.className = "new";
      // Keep the table in id order: the oldest connection first.
      const after = [...body.rows].find((other) => Number(other.dataset.id) > r.id);
      body.insertBefore(tr, after || null);
    }
    rows.set(r.id, r);
    cells(tr, rowCells(r));
  }

  function remove(id) {
    rows.delete(id);
    const tr = $("connections").tBodies[0].querySelector(`tr[data-id="${id}"]`);
    if (tr) tr.remove();
  }

  function replaceRows(list) {
    const present = new Set(list.map((r) => r.id));
    for (const id of [...rows.keys()]) if (!present.has(id)) remove(id);
    for (const r of list) upsert(r, false);
    $("count").textContent = rows.size;
  }

  function listeners(list) {
    const body = $("listeners").tBodies[0];
    body.replaceChildren(...list.map((l) => {
      const tr = document.createElement("tr");
      cells(tr, [[l.transport], [l.address], [l.protocol], [new Date(l.since).toLocaleString()]]);
      return tr;
    }));
  }

  function channels(info) {
    $("channels-section").hidden = !info.enabled;
    if (!info.enabled) return;
    $("broker").textContent = info.broker;
    const state = $("broker-state");
    state.textContent = info.connected ? "connected" : "reconnecting";
    state.className = info.connected ? "ok" : "bad";
    const body = $("channels").tBodies[0];
    body.replaceChildren(...info.list.map((c) => {
      const tr = document.createElement("tr");
      tr.dataset.channel = c.channel;
      cells(tr, [[c.channel], [String(c.members), true], [String(c.publications), true],
        [c.perSecond.toFixed(1), true]]);
      return tr;
    }));
  }

  function add(sample) {
    data.t.push(sample.t);
    data.connections.push(sample.connections);
    data.requests.push(sample.requests);
    data.bytesIn.push(sample.bytesIn);
    data.bytesOut.push(sample.bytesOut);
    if (data.t.length > KEEP) for (const series of Object.values(data)) series.shift();
  }

  const width = () => Math.max(300, Math.min(520, (window.innerWidth - 120) / 3));
  const chart = (id, series, axisValues) => new uPlot({
    width: width(), height: 200,
    scales: { x: { time: true } },
    axes: [{}, { values: axisValues, size: 70 }],
    series: [{}, ...series],
  }, [[]], $(id));
  const charts = {
    connections: chart("chart-connections", [{ label: "open", stroke: "#2a6fdb", width: 2 }]),
    requests: chart("chart-requests", [{ label: "requests/s", stroke: "#d9822b", width: 2 }]),
    bytes: chart("chart-bytes", [
      { label: "in", stroke: "#2b9348", width: 2, value: (u, v) => v == null ? "-" : bytes(v) + "/s" },
      { label: "out", stroke: "#9d4edd", width: 2, value: (u, v) => v == null ? "-" : bytes(v) + "/s" },
    ], (u, ticks) => ticks.map((v) => bytes(v))),
  };
  function redraw() {
    charts.connections.setData([data.t, data.connections]);
    charts.requests.setData([data.t, data.requests]);
    charts.bytes.setData([data.t, data.bytesIn, data.bytesOut]);
  }

  const handlers = {
    hello(m) {
      for (const series of Object.values(data)) series.length = 0;
      m.history.forEach(add);
      replaceRows(m.rows);
      listeners(m.listeners);
      channels(m.channels);
      redraw();
    },
    open(m) { upsert(m.row, true); $("count").textContent = rows.size; },
    close(m) { remove(m.id); $("count").textContent = rows.size; },
    listeners(m) { listeners(m.listeners); },
    tick(m) { add(m.sample); replaceRows(m.rows); channels(m.channels); redraw(); },
  };

  let backoff = 500;
  function connect() {
    const url = new URL("api/live", location.href);
    url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(url);
    const status = $("status");
    socket.onopen = () => { backoff = 500; status.textContent = "live"; status.className = "live"; };
    socket.onmessage = (event) => {
      const message = JSON.parse(event.data);
      const handle = handlers[message.type];
      if (handle) handle(message);
    };
    socket.onclose = () => {
      status.textContent = "reconnecting";
      status.className = "down";
      setTimeout(connect, backoff);
      backoff = Math.min(backoff * 2, 10000);
    };
  }
  connect();
  window.wharfDashboard = { data, rows, charts };
})();
