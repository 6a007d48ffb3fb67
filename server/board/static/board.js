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
    make("chart-hours", { type: "line", data: { labels: data.hours.labels,
      datasets: [{ label: words.moves, data: data.hours.values, borderColor: "#e76f51", tension: 0.3 }] },
      options: quiet });
  }
  document.addEventListener("DOMContentLoaded", () => draw());
  document.body && document.body.addEventListener("htmx:afterSwap", (e) => draw(e.target));
  document.addEventListener("htmx:afterSwap", (e) => draw(e.target));
})();
