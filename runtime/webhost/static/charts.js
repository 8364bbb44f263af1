// A small bar-chart renderer for the Me page: SVG built with DOM calls, no
// library and no build step.
//
// Why our own: the shell needs one kind of chart (labelled horizontal bars:
// spending by month, by program), readable at 360 px, in both colour schemes,
// with a text alternative; a general chart library would be most of the
// shell's script for that. What it draws:
//
//   <figure class="chart">
//     <figcaption>Title</figcaption>
//     <svg role="img" aria-labelledby="TITLE DESC">     one row per bar:
//       <title>, <desc>                                  the label, the bar
//       <text class="chart-label">, <rect class="chart-bar" data-value>,
//       <text class="chart-value">                       and its value as text
//     <details><summary>As a table</summary><table>      the same numbers
//
// Bars scale to the largest value; a zero or negative value (refunds larger
// than payments) draws no bar but keeps its value text. Labels and values are
// text nodes (`textContent`), so a program's name stays text. Colours come
// from CSS (`.chart-bar { fill: var(--accent) }`), so dark mode follows.

import { el, nextId, clip } from "./util.js";

const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 320; // viewBox units; the SVG scales to its container's width
const LABEL = 104; // the label column
const VALUE = 92; // room for the value after the longest bar
const ROW = 24;
const BAR = 14;
const LABEL_CHARS = 15;

function svg(tag, attributes = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

/**
 * A labelled bar chart.
 * @param {object} chart
 *   title     the caption (and the SVG's title)
 *   summary   one sentence for the SVG's description (what a screen reader hears)
 *   columns   [label heading, value heading] for the table
 *   rows      [{label, value (a number), text (the value as shown)}]
 */
export function barChart({ title, summary, columns, rows, tableLabel }) {
  const titleId = nextId("chart-title");
  const descId = nextId("chart-desc");
  const height = Math.max(1, rows.length) * ROW + 4;
  const picture = svg("svg", { viewBox: `0 0 ${WIDTH} ${height}`, role: "img", "aria-labelledby": `${titleId} ${descId}`, class: "chart-svg", preserveAspectRatio: "xMinYMin meet" });
  picture.append(svg("title", { id: titleId }, title), svg("desc", { id: descId }, summary));
  const largest = Math.max(0, ...rows.map((row) => row.value));
  const room = WIDTH - LABEL - VALUE;
  rows.forEach((row, index) => {
    const y = index * ROW + 2;
    const width = largest > 0 && row.value > 0 ? Math.max(1, (row.value / largest) * room) : 0;
    const group = svg("g", { class: "chart-row" });
    group.append(
      svg("text", { class: "chart-label", x: LABEL - 6, y: y + BAR - 2, "text-anchor": "end" }, clip(String(row.label), LABEL_CHARS)),
      svg("rect", { class: "chart-bar", x: LABEL, y, width: width.toFixed(2), height: BAR, rx: 2, "data-value": row.value }),
      svg("text", { class: "chart-value", x: LABEL + width + 4, y: y + BAR - 2 }, String(row.text)),
    );
    picture.append(group);
  });
  const table = el(
    "table",
    { className: "chart-table" },
    el("caption", { className: "visually-hidden", textContent: title }),
    el("thead", {}, el("tr", {}, ...columns.map((heading) => el("th", { scope: "col", textContent: heading })))),
    el("tbody", {}, ...rows.map((row) => el("tr", { dataset: { value: String(row.value) } }, el("th", { scope: "row", textContent: String(row.label) }), el("td", { textContent: String(row.text) })))),
  );
  return el(
    "figure",
    { className: "chart" },
    el("figcaption", { className: "chart-title", textContent: title }),
    picture,
    el("details", { className: "chart-details" }, el("summary", { textContent: tableLabel }), el("div", { className: "table-wrap", tabindex: "0", role: "region", "aria-label": title }, table)),
  );
}
