import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { initWasm, Resvg } from '@resvg/resvg-wasm';
import { logger, None, parse as parseVega, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

/**
 * Directory holding `index_bg.wasm` (resvg) and `DejaVuSans.ttf` when they are not beside the
 * source: a Lambda bundle is one file, so the pre-QBR construct ships both in a layer and sets
 * this variable to the layer's folder.
 */
export const CHART_ASSETS_DIR_VARIABLE = 'DEALREG_CHART_ASSETS_DIR';

/** The one font every chart is drawn with: shipped with the code, so a PNG looks the same everywhere. */
export const CHART_FONT_FAMILY = 'DejaVu Sans';
const FONT_FILE = 'DejaVuSans.ttf';
const WASM_FILE = 'index_bg.wasm';

/** A chart drawn as a PNG, with what an email or a page needs to show it. */
export interface ChartImage {
  readonly png: Uint8Array;
  /** Width and height in CSS pixels (the PNG has `scale` times as many, for sharp screens). */
  readonly width: number;
  readonly height: number;
}

/** A chart could not be drawn: its specification is invalid or the renderer could not start. */
export class ChartRenderError extends Error {
  override readonly name = 'ChartRenderError';
}

interface RendererAssets {
  readonly font: Uint8Array;
}

let assets: Promise<RendererAssets> | undefined;

/**
 * Vega-Lite logs layout adjustments (e.g. dropping a fit it cannot apply) as console warnings;
 * they describe our own specifications, not input, so they are not shown.
 */
const quietLogger = logger(None);

async function locateAssets(): Promise<{ wasm: string; font: string }> {
  const dir = process.env[CHART_ASSETS_DIR_VARIABLE];
  if (dir !== undefined && dir.trim() !== '') {
    return { wasm: join(dir, WASM_FILE), font: join(dir, FONT_FILE) };
  }
  const require = createRequire(import.meta.url);
  return {
    wasm: require.resolve('@resvg/resvg-wasm/index_bg.wasm'),
    font: fileURLToPath(new URL(`./fonts/${FONT_FILE}`, import.meta.url)),
  };
}

const rendererStarted = Symbol.for('dealreg.charts.resvg-wasm-started');

/**
 * resvg-wasm keeps one instance per process and refuses a second `initWasm`, while this module
 * may be evaluated more than once in a process (a test runner sharing a worker between files),
 * so whether it started is kept on the process, not in this module.
 */
function startRendererOnce(wasm: Buffer): Promise<void> {
  const processWide = globalThis as { [rendererStarted]?: Promise<void> };
  processWide[rendererStarted] ??= initWasm(wasm).catch((cause: unknown) => {
    delete processWide[rendererStarted];
    throw cause;
  });
  return processWide[rendererStarted];
}

/** Loads the WebAssembly renderer and the font once per process. */
function loadAssets(): Promise<RendererAssets> {
  assets ??= (async () => {
    const where = await locateAssets();
    const [wasm, font] = await Promise.all([
      readFile(where.wasm).catch((cause: unknown) => {
        throw new ChartRenderError(
          `the SVG renderer (${where.wasm}) could not be read; set ${CHART_ASSETS_DIR_VARIABLE} to the folder holding ${WASM_FILE}`,
          { cause },
        );
      }),
      readFile(where.font).catch((cause: unknown) => {
        throw new ChartRenderError(
          `the chart font (${where.font}) could not be read; set ${CHART_ASSETS_DIR_VARIABLE} to the folder holding ${FONT_FILE}`,
          { cause },
        );
      }),
    ]);
    await startRendererOnce(wasm);
    return { font: new Uint8Array(font) };
  })();
  // A failed start is not cached: the next chart tries again (and reports the same cause).
  assets.catch(() => {
    assets = undefined;
  });
  return assets;
}

/**
 * Draws a Vega-Lite chart as SVG text. Vega writes every label as an escaped text node, so a
 * name such as `<script>` stays text.
 *
 * @throws ChartRenderError when the specification is invalid.
 */
export async function renderChartSvg(spec: TopLevelSpec): Promise<string> {
  try {
    const vegaSpec = compile(spec, { logger: quietLogger }).spec;
    const view = new View(parseVega(vegaSpec), { renderer: 'none' });
    try {
      return await view.toSVG();
    } finally {
      view.finalize();
    }
  } catch (cause) {
    throw new ChartRenderError(`the chart could not be drawn: ${(cause as Error).message}`, { cause });
  }
}

/**
 * Draws a Vega-Lite chart as a PNG: Vega-Lite → Vega → SVG (Vega escapes every text it writes)
 * → PNG with resvg, using only the bundled font and no network or file access from the chart.
 * Mail clients block SVG, so emails carry the PNG.
 *
 * @param scale device pixels per CSS pixel of the PNG (2 keeps text sharp on high-density screens).
 * @throws ChartRenderError when the specification is invalid or the renderer cannot start.
 */
export async function renderChartPng(spec: TopLevelSpec, scale = 2): Promise<ChartImage> {
  const { font } = await loadAssets();
  const svg = await renderChartSvg(spec);
  const resvg = new Resvg(svg, {
    font: { fontBuffers: [font], defaultFontFamily: CHART_FONT_FAMILY },
    fitTo: { mode: 'zoom', value: scale },
    background: '#ffffff',
  });
  try {
    const width = Math.round(resvg.width);
    const height = Math.round(resvg.height);
    const rendered = resvg.render();
    try {
      return { png: rendered.asPng(), width, height };
    } finally {
      rendered.free();
    }
  } finally {
    resvg.free();
  }
}
