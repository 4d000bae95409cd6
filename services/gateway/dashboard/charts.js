// Small bar charts drawn as inline SVG by the page itself (no library: the page's CSP allows only
// its own scripts). Every bar carries its figure as text: a <title> (the tooltip and what a screen
// reader says), a value label, and data-key / data-value for tests; a table of the figures
// follows each chart in a <details>. Titles and axis labels come in already translated.
"use strict";
const SVG_NS = "http://www.w3.org/2000/svg";

function svgNode(name, attrs = {}, text = undefined) {
  const node = document.createElementNS(SVG_NS, name);
  for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, String(value));
  if (text !== undefined) node.textContent = String(text);
  return node;
}

function chartFrame(id, title, bars) {  // <figure> with its caption and its figures as a table
  const figure = document.createElement("figure");
  figure.className = "chart"; figure.dataset.chart = id; figure.dataset.testid = `chart-${id}`;
  figure.append(Object.assign(document.createElement("figcaption"), { textContent: title }));
  const details = document.createElement("details");
  const table = document.createElement("table");
  table.className = "figures";
  for (const bar of bars) {
    const tr = table.insertRow();
    tr.dataset.key = bar.key;
    tr.insertCell().textContent = bar.label;
    tr.insertCell().textContent = bar.text ?? String(bar.value);
  }
  details.append(Object.assign(document.createElement("summary"), { textContent: t("figures_table") }), table);
  return { figure, details };
}

function barNode(bar, x, y, width, height) {
  const rect = svgNode("rect", { x, y, width, height: Math.max(height, 0), class: "bar",
                                 "data-key": bar.key, "data-value": bar.value });
  rect.append(svgNode("title", {}, `${bar.label}: ${bar.text ?? bar.value}`));
  return rect;
}

function emptyNote(figure, details, bars) {
  if (bars.length) return false;
  figure.append(Object.assign(document.createElement("p"), { className: "none", textContent: t("no_data") }));
  return true;
}

// Vertical bars, one per period (weeks, months): bars [{key, label, short, value, text}];
// ``max`` fixes the scale and ``format`` writes a tick (rates: 0 to 1 as %).
function columnChart(id, title, bars, xAxis, yAxis, max = null, format = String) {
  const { figure, details } = chartFrame(id, title, bars);
  if (emptyNote(figure, details, bars)) return figure;
  const width = 360, height = 190, left = 30, right = 6, top = 16, bottom = 36;
  const plotW = width - left - right, plotH = height - top - bottom;
  max = max ?? Math.max(1, ...bars.map((b) => b.value));
  const step = plotW / bars.length, barW = Math.max(2, step * 0.7);
  const svg = svgNode("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", class: "bars" });
  svg.append(svgNode("title", {}, title));
  for (const tick of [0, max]) {
    const y = top + plotH - (plotH * tick) / max;
    svg.append(svgNode("line", { x1: left, x2: width - right, y1: y, y2: y, class: tick ? "grid" : "axis" }),
               svgNode("text", { x: left - 3, y: y + 3, class: "tick", "text-anchor": "end" }, format(tick)));
  }
  const every = Math.ceil(bars.length / 12);  // at most 12 period labels under the axis
  bars.forEach((bar, i) => {
    const h = (plotH * bar.value) / max, x = left + i * step + (step - barW) / 2, y = top + plotH - h;
    svg.append(barNode(bar, x, y, barW, h));
    if (bars.length <= 24 && bar.value) {
      svg.append(svgNode("text", { x: x + barW / 2, y: y - 2, class: "value", "text-anchor": "middle" }, bar.text ?? bar.value));
    }
    if (i % every === 0) {
      svg.append(svgNode("text", { x: x + barW / 2, y: top + plotH + 11, class: "tick", "text-anchor": "middle" }, bar.short ?? bar.label));
    }
  });
  svg.append(svgNode("text", { x: left + plotW / 2, y: height - 4, class: "axis-label", "text-anchor": "middle" }, xAxis),
             svgNode("text", { x: 9, y: top + plotH / 2, class: "axis-label", "text-anchor": "middle",
                               transform: `rotate(-90 9 ${top + plotH / 2})` }, yAxis));
  figure.append(svg, details);
  return figure;
}

// Horizontal bars, one per name (customers, problems, departments, rates), each name above its
// bar so long names fit a phone: bars [{key, label, value, text}]; ``max`` fixes the scale.
function barList(id, title, bars, valueAxis, nameAxis, max = null) {
  const { figure, details } = chartFrame(id, title, bars);
  if (emptyNote(figure, details, bars)) return figure;
  const width = 360, row = 30, top = 16, bottom = 18, left = 4, right = 70;
  const height = top + row * bars.length + bottom, plotW = width - left - right;
  const scale = max ?? Math.max(1, ...bars.map((b) => b.value));
  const svg = svgNode("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", class: "bars" });
  svg.append(svgNode("title", {}, title),
             svgNode("text", { x: left, y: 10, class: "axis-label" }, nameAxis));
  bars.forEach((bar, i) => {
    const y = top + i * row, w = (plotW * bar.value) / scale;
    svg.append(svgNode("text", { x: left, y: y + 9, class: "name" }, bar.label),
               barNode(bar, left, y + 12, w, 12),
               svgNode("text", { x: left + w + 4, y: y + 22, class: "value" }, bar.text ?? bar.value));
  });
  const axisY = top + row * bars.length + 2;
  svg.append(svgNode("line", { x1: left, x2: left + plotW, y1: axisY, y2: axisY, class: "axis" }),
             svgNode("text", { x: left + plotW, y: axisY + 13, class: "axis-label", "text-anchor": "end" }, valueAxis));
  figure.append(svg, details);
  return figure;
}
