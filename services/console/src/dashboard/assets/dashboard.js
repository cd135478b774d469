// Draws the NPS trend with uPlot from the JSON the server embedded; the table beside it has the
// same figures, so the page is complete without JavaScript.
(() => {
  const el = document.getElementById('trend-chart');
  const data = document.getElementById('trend-data');
  if (!el || !data || typeof uPlot === 'undefined') return;
  const d = JSON.parse(data.textContent);
  if (!d.points.length) return;
  const xs = d.points.map((_, i) => i);
  const nul = (v) => (v === null || v === undefined ? null : v);
  const series = [
    xs,
    d.points.map((p) => nul(p.nps)),
    d.points.map((p) => nul(p.lo)),
    d.points.map((p) => nul(p.hi)),
    d.points.map(() => d.target),
  ];
  const width = () => Math.max(280, el.clientWidth);
  const plot = new uPlot(
    {
      width: width(),
      height: 260,
      scales: { x: { time: false }, y: { range: [-100, 100] } },
      axes: [
        {
          values: (_, ticks) => ticks.map((i) => (d.points[i] ? d.points[i].month : '')),
          // Whole months only, and far enough apart that their labels never run together (375 px).
          incrs: [1, 2, 3, 4, 6, 12],
          space: 72,
          stroke: '#1a1a1a',
          grid: { stroke: '#d9d9d9' },
        },
        { stroke: '#1a1a1a', grid: { stroke: '#d9d9d9' } },
      ],
      series: [
        // The legend names the month, not the point's index.
        { label: d.labels.month, value: (_, i) => (i === null || i === undefined ? '–' : d.points[i] ? d.points[i].month : '') },
        { label: d.labels.nps, stroke: '#005a9c', width: 3, points: { size: 8, fill: '#005a9c' } },
        { label: `${d.labels.ci} −`, stroke: '#5c7f99', dash: [4, 4], width: 1 },
        { label: `${d.labels.ci} +`, stroke: '#5c7f99', dash: [4, 4], width: 1 },
        { label: d.labels.target, stroke: '#b3261e', width: 2, dash: [10, 6], points: { show: false } },
      ],
    },
    series,
    el,
  );
  window.addEventListener('resize', () => plot.setSize({ width: width(), height: 260 }));
  // An image only once drawn: without JavaScript, or with no months, there is none to announce.
  el.setAttribute('role', 'img');
  el.setAttribute('aria-label', el.dataset.label || '');
  el.dataset.drawn = 'true';
})();
