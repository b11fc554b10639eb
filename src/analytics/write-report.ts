import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { type Report, ReportSchema } from './report.ts';
import { reportHtml, reportMarkdown } from './report-render.ts';

/** The JSON Schema of the report's JSON, written beside it. */
export const REPORT_SCHEMA_FILE = 'report.schema.json';

/**
 * Writes the report as Markdown, HTML and JSON (`daily-2026-12-07.md` ...) with the JSON Schema beside them;
 * each file goes to a temporary name first and is renamed, so a failed run leaves no half-written file.
 *
 * @example
 * const files = writeReportFiles(report, 'reports'); // [.../daily-2026-12-07.md, .html, .json, report.schema.json]
 */
export function writeReportFiles(report: Report, outDir: string): string[] {
  mkdirSync(outDir, { recursive: true });
  const base = `${report.kind}-${report.to}`;
  const files: Record<string, string> = {
    [`${base}.md`]: reportMarkdown(report),
    [`${base}.html`]: reportHtml(report),
    [`${base}.json`]: `${JSON.stringify(report, null, 2)}\n`,
    [REPORT_SCHEMA_FILE]: `${JSON.stringify(z.toJSONSchema(ReportSchema), null, 2)}\n`,
  };
  const written: string[] = [];
  for (const [name, content] of Object.entries(files)) {
    const path = join(outDir, name);
    writeFileSync(`${path}.tmp`, content);
    renameSync(`${path}.tmp`, path);
    written.push(path);
  }
  return written;
}
