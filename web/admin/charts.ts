/**
 * The programme view's charts, drawn as plain SVG: a weekly bar chart and a sparkline per
 * pair. No chart library: two small shapes need no canvas, no dependency and no script from
 * elsewhere, and SVG scales with the page's zoom. Each chart carries its numbers as text for
 * screen readers (the bar chart a table beside it; a sparkline an `aria-label`).
 */
const SVG = 'http://www.w3.org/2000/svg';

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Record<string, string | number>): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  return element;
}

/** A bar per value, labelled under the first, middle and last bars; the SVG is hidden from screen readers (a table says the same). */
export function barChart(values: readonly number[], labels: readonly string[], width = 560, height = 160): SVGSVGElement {
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, class: 'bar-chart', 'aria-hidden': 'true', focusable: 'false' });
  const top = Math.max(1, ...values);
  const plot = height - 24;
  const step = width / Math.max(1, values.length);
  values.forEach((value, i) => {
    const barHeight = Math.round((value / top) * (plot - 8));
    chart.append(svg('rect', { x: i * step + step * 0.15, y: plot - barHeight, width: step * 0.7, height: Math.max(barHeight, value > 0 ? 1 : 0), rx: 2 }));
  });
  for (const i of new Set([0, values.length >> 1, values.length - 1])) {
    if (i < 0 || labels[i] === undefined) continue;
    const label = svg('text', { x: i * step + step / 2, y: height - 6, 'text-anchor': 'middle' });
    label.textContent = labels[i]!;
    chart.append(label);
  }
  return chart;
}

/** A line over `values` (oldest first) with the newest point marked; `label` is what a screen reader hears instead. */
export function sparkline(values: readonly number[], label: string, width = 96, height = 24): SVGSVGElement {
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, class: 'sparkline', role: 'img', 'aria-label': label });
  const top = Math.max(1, ...values);
  const x = (i: number) => (values.length < 2 ? width / 2 : (i / (values.length - 1)) * (width - 4) + 2);
  const y = (value: number) => height - 3 - (value / top) * (height - 6);
  const points = values.map((value, i) => `${x(i).toFixed(1)},${y(value).toFixed(1)}`).join(' ');
  chart.append(svg('polyline', { points, fill: 'none', 'stroke-width': 1.5 }));
  if (values.length > 0) chart.append(svg('circle', { cx: x(values.length - 1), cy: y(values.at(-1)!), r: 2 }));
  return chart;
}
