// Draws the overview charts from the data the server put in the page, again after every live refresh.
(function () {
  const charts = {};
  function draw(root) {
    const box = (root || document).querySelector(".charts");
    if (!box || !window.Chart) return;
    const data = JSON.parse(box.dataset.charts);
    const words = JSON.parse(box.dataset.labels);
    const make = (id, config) => {
      if (charts[id]) charts[id].destroy();
      const el = document.getElementById(id);
      if (el) charts[id] = new Chart(el, config);
    };
    const quiet = { animation: false, plugins: { legend: { display: false } } };
    make("chart-owners", { type: "bar", data: { labels: data.owners.labels,
      datasets: [{ label: words.units, data: data.owners.values, backgroundColor: "#4f8ef7" }] }, options: quiet });
    make("chart-zones", { type: "bar", data: { labels: data.zones.labels, datasets: [
      { label: words.in_use, data: data.zones.in_use, backgroundColor: "#2a9d8f" },
      { label: words.empty, data: data.zones.empty, backgroundColor: "#d9e2ec" }] },
      options: { animation: false, scales: { x: { stacked: true }, y: { stacked: true } } } });
    make("chart-states", { type: "bar", data: { labels: data.states.labels,
      datasets: [{ label: words.orders, data: data.states.values, backgroundColor: "#0072B2" }] }, options: quiet });
    make("chart-cutoffs", { type: "bar", data: { labels: data.cutoffs.labels,
      datasets: [{ label: words.orders, data: data.cutoffs.values,
        backgroundColor: data.cutoffs.labels.map((l) => (l === "overdue" ? "#D55E00" : "#E69F00")) }] }, options: quiet });
    make("chart-picks", { type: "bar", data: { labels: data.picks.labels,
      datasets: [{ label: words.picks, data: data.picks.values, backgroundColor: "#009E73" }] }, options: quiet });
    make("chart-hours", { type: "line", data: { labels: data.hours.labels,
      datasets: [{ label: words.moves, data: data.hours.values, borderColor: "#e76f51", tension: 0.3 }] },
      options: quiet });
  }
  document.addEventListener("DOMContentLoaded", () => draw());
  document.body && document.body.addEventListener("htmx:afterSwap", (e) => draw(e.target));
  document.addEventListener("htmx:afterSwap", (e) => draw(e.target));
})();

// Waves: pointing at a cart's row shows its route alone on the plan (no inline scripts: the CSP forbids them).
(function () {
  function focus(row, on) {
    const plan = document.getElementById("wave-plan");
    const route = plan && document.getElementById("route-" + row.dataset.route);
    if (!route) return;
    plan.classList.toggle("focus", on);
    route.classList.toggle("on", on);
    row.classList.toggle("on", on);
  }
  document.addEventListener("mouseover", (e) => {
    const row = e.target.closest && e.target.closest("tr.batch-row");
    if (row) focus(row, true);
  });
  document.addEventListener("mouseout", (e) => {
    const row = e.target.closest && e.target.closest("tr.batch-row");
    if (row) focus(row, false);
  });
})();

// Live regions: an element with data-live-ms inside an sse-connect box is refreshed (its htmx "refresh" trigger)
// when that box's stream says "update": at once if it was not refreshed for data-live-ms, else once that time is
// up, and always once more after the last event of a burst. htmx's own "throttle" drops the trailing event (and a
// second "sse:update delay" spec on the same element never runs: htmx handles one event once per element), so a
// page could stop one change short of the truth, e.g. a wave's pick bar after the last confirmed pick.
(function () {
  function schedule(el) {
    const every = Number(el.dataset.liveMs) || 1000;
    const state = el.wesLive || (el.wesLive = { last: 0, timer: null });
    if (state.timer) return; // a refresh is already due and will read this change too (events follow commits)
    const wait = Math.max(0, state.last + every - Date.now());
    state.timer = window.setTimeout(() => {
      state.timer = null;
      state.last = Date.now();
      if (document.body.contains(el)) htmx.trigger(el, "refresh");
    }, wait);
  }
  document.addEventListener("htmx:sseOpen", (e) => {
    const box = e.target;
    const source = e.detail && e.detail.source;
    const refresh = () => box.querySelectorAll("[data-live-ms]").forEach(schedule);
    if (box.wesOpened) refresh(); // back after a drop: catch up with what happened meanwhile
    box.wesOpened = true;
    if (!source || source.wesLive) return; // the browser's own reconnect keeps the source and its listener
    source.wesLive = true;
    source.addEventListener("update", refresh);
  });
})();

// Billing: locations in use per owner and night, a line per owner (a night without a snapshot is a gap).
(function () {
  let chart = null;
  function draw() {
    const box = document.querySelector("[data-storage-chart]");
    const el = document.getElementById("chart-storage");
    if (!box || !el || !window.Chart) return;
    const data = JSON.parse(box.dataset.storageChart);
    const colours = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"];
    if (chart) chart.destroy();
    chart = new Chart(el, { type: "line", data: { labels: data.labels, datasets: data.series.map((s, i) => ({
      label: s.owner, data: s.values, borderColor: colours[i % colours.length], spanGaps: false, tension: 0.2 })) },
      options: { animation: false, maintainAspectRatio: false,
        scales: { y: { beginAtZero: true, title: { display: true, text: box.dataset.label } } } } });
  }
  document.addEventListener("DOMContentLoaded", draw);
})();
