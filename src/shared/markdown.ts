/**
 * Escapes text for Markdown: backslash escapes for the characters that make emphasis, links, code, tables or
 * inline HTML (an underscore only at the edge of a word), and for list or heading markers at the start of a
 * line; new lines become hard breaks. `<script>` stays text in any renderer that allows inline HTML.
 *
 * @example
 * escapeMarkdown('*Refunds* | <b>'); // '\\*Refunds\\* \\| \\<b\\>'
 */
export function escapeMarkdown(s: string): string {
  return (
    s
      .replace(/[\\`*[\]<>|~&#]/g, '\\$&')
      // An underscore inside a word never makes emphasis, so order_status stays readable.
      .replace(/(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu, '\\_')
      .split(/\r?\n/)
      .map((line) => line.replace(/^(\s*)([-+=])/, '$1\\$2').replace(/^(\s*\d+)([.)])/, '$1\\$2'))
      .join('  \n  ')
  );
}

/** Escapes text for one Markdown table cell or line: line breaks become spaces, then `escapeMarkdown`. */
export function markdownCell(s: string): string {
  return escapeMarkdown(s.replace(/\s*\r?\n\s*/g, ' '));
}
