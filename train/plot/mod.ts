/**
 * Charts for training runs, hand-written SVG with no dependencies (so the
 * module loads by URL): line charts of metrics against epochs or iterations,
 * contour plots with optimizer paths, charts in the terminal, and the files
 * of a run's charts.
 *
 * @example A loss chart and its terminal preview
 * ```ts
 * import { lineChart, sparkline } from "./mod.ts";
 * import assert from "node:assert/strict";
 *
 * const loss = [0.69, 0.41, 0.22, 0.12, 0.07];
 * assert.ok(lineChart([{ name: "loss", y: loss }], { title: "Loss", logY: true }).includes("<svg"));
 * assert.equal(sparkline(loss), "█▅▂▁▁");
 * ```
 *
 * @module
 */

export { confusionHeatmap, type ConfusionHeatmapOptions, confusionTable } from "./confusion_matrix.ts";
export { type ContourPath, contourPlot, type ContourPlotOptions } from "./contour_plot.ts";
export { lineChart, type LineChartOptions, type LineSeries } from "./line_chart.ts";
export {
  type ChartFile,
  metricCharts,
  type MetricChartsOptions,
  type MetricRecord,
  type RunMetrics,
} from "./metric_charts.ts";
export { METRICS_FILE, parseMetrics, plotRun, type PlotRunOptions } from "./plot_run.ts";
export {
  sparkline,
  type SparklineOptions,
  terminalChart,
  type TerminalChartOptions,
  type TerminalSeries,
} from "./terminal_chart.ts";
export { type AxisTicks, formatTick, linearTicks, logTicks } from "./ticks.ts";
export { writeSvg } from "./write_svg.ts";
