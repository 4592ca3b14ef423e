/**
 * A streaming .xlsx writer for one sheet of plain values (ECMA-376 SpreadsheetML, the parts Excel,
 * LibreOffice, Numbers and ExcelJS need). Strings are inline (`t="inlineStr"`), so nothing is kept per
 * distinct value the way a shared-string table would; rows go out as they are added, so memory does not
 * grow with the sheet.
 */
import type { Writable } from 'node:stream';
import { ZipWriter, type ZipEntry } from './zip.js';

export type Cell = string | number | null | undefined;

export interface SheetOptions {
  /** ≤ 31 characters, none of []:*?/\ */
  sheetName: string;
  columns: { header: string; width?: number }[];
  /** deflate level (1 fast … 9 small); 6 unless told */
  level?: number;
}

const BUFFER_SIZE = 256 * 1024;
const XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';
const NS_MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const NS_REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const NS_PKG_REL = 'http://schemas.openxmlformats.org/package/2006/relationships';

const STATIC_PARTS: [string, string][] = [
  [
    '[Content_Types].xml',
    `${XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
      '<Default Extension="xml" ContentType="application/xml"/>' +
      '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
      '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' +
      '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>' +
      '</Types>',
  ],
  [
    '_rels/.rels',
    `${XML_HEAD}<Relationships xmlns="${NS_PKG_REL}">` +
      `<Relationship Id="rId1" Type="${NS_REL}/officeDocument" Target="xl/workbook.xml"/>` +
      '</Relationships>',
  ],
  [
    'xl/_rels/workbook.xml.rels',
    `${XML_HEAD}<Relationships xmlns="${NS_PKG_REL}">` +
      `<Relationship Id="rId1" Type="${NS_REL}/worksheet" Target="worksheets/sheet1.xml"/>` +
      `<Relationship Id="rId2" Type="${NS_REL}/styles" Target="styles.xml"/>` +
      '</Relationships>',
  ],
  [
    // The one style every cell uses (index 0) and a bold one for the header row (index 1).
    'xl/styles.xml',
    `${XML_HEAD}<styleSheet xmlns="${NS_MAIN}">` +
      '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>' +
      '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>' +
      '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
      '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
      '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/></cellXfs>' +
      '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>' +
      '</styleSheet>',
  ],
];

/** What cell text needs work for: markup, characters XML 1.0 cannot carry, anything beyond ASCII. */
// eslint-disable-next-line no-control-regex
const NEEDS_WORK = /[<>&\u0000-\u0008\u000b\u000c\u000e-\u001f\u0080-\uffff]/;
const escaped = new Map<string, string>();

/**
 * Text as XML in ASCII alone: markup escaped, characters XML 1.0 cannot carry dropped (C0 controls but
 * tab and newlines, lone surrogates, U+FFFE/U+FFFF), everything beyond ASCII as a character reference
 * (`中` → `&#20013;`). V8 keeps an ASCII string in one byte per character, and the sheet is then built
 * and encoded several times faster than as two-byte text (one CJK value makes a whole row two-byte).
 * Short values repeat (是/否, departments, names), so their escaped form is kept.
 */
export function escapeXml(s: string): string {
  if (!NEEDS_WORK.test(s)) return s;
  let out = escaped.get(s);
  if (out !== undefined) return out;
  out = '';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (c === 38) out += '&amp;';
    else if (c === 60) out += '&lt;';
    else if (c === 62) out += '&gt;';
    else if (c < 0x20) out += c === 9 || c === 10 || c === 13 ? ch : '';
    else if (c < 0x80) out += ch;
    else if (!((c >= 0xd800 && c <= 0xdfff) || c === 0xfffe || c === 0xffff)) out += `&#${c};`;
  }
  if (s.length <= 64) {
    if (escaped.size >= 10_000) escaped.clear();
    escaped.set(s, out);
  }
  return out;
}

/** Column letters: 0 → A, 25 → Z, 26 → AA. */
export function columnName(index: number): string {
  let name = '';
  for (let n = index + 1; n > 0; n = Math.floor((n - 1) / 26)) name = String.fromCharCode(65 + ((n - 1) % 26)) + name;
  return name;
}

export class XlsxWriter {
  private rowNumber = 0;
  /** `<c r="B` … per column: the cell reference is the column letters plus the row number */
  private readonly refs: string[];

  private constructor(
    private readonly zip: ZipWriter,
    private readonly sheet: ZipEntry,
    columns: number,
  ) {
    this.refs = Array.from({ length: columns }, (_, i) => `<c r="${columnName(i)}`);
  }

  /** Writes the workbook's fixed parts and the header row; rows follow with `addRows`. */
  static async open(out: Writable, o: SheetOptions): Promise<XlsxWriter> {
    const zip = new ZipWriter(out, o.level ?? 6);
    for (const [name, content] of STATIC_PARTS) await zip.file(name, content);
    await zip.file(
      'xl/workbook.xml',
      `${XML_HEAD}<workbook xmlns="${NS_MAIN}" xmlns:r="${NS_REL}"><sheets><sheet name="${escapeXml(o.sheetName).replace(/"/g, '&quot;')}" sheetId="1" r:id="rId1"/></sheets></workbook>`,
    );
    const sheet = await zip.entry('xl/worksheets/sheet1.xml');
    const cols = o.columns.map((c, i) => `<col min="${i + 1}" max="${i + 1}" width="${c.width ?? Math.max(10, Math.min(40, c.header.length * 2.2 + 2))}" customWidth="1"/>`).join('');
    // The header row stays in view while scrolling (a frozen pane below row 1).
    await sheet.write(
      `${XML_HEAD}<worksheet xmlns="${NS_MAIN}" xmlns:r="${NS_REL}">` +
        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>' +
        `<cols>${cols}</cols><sheetData>`,
    );
    const writer = new XlsxWriter(zip, sheet, o.columns.length);
    await sheet.write(writer.rowXml(o.columns.map((c) => c.header), ' s="1"'));
    return writer;
  }

  /**
   * Appends rows. Each row's XML (ASCII, see escapeXml) is copied straight into a buffer of about
   * 256 KiB that goes to the compressor when full: no string the size of a batch is ever built, so the
   * garbage a large export leaves is small young objects, and the heap stays small.
   */
  async addRows(rows: readonly (readonly Cell[])[]): Promise<void>;
  /** Appends records, each turned into its cells just before it is written (no page of cells is ever held). */
  async addRows<T>(rows: readonly T[], cellsOf: (row: T) => readonly Cell[]): Promise<void>;
  async addRows<T>(rows: readonly T[], cellsOf?: (row: T) => readonly Cell[]): Promise<void> {
    let buf = Buffer.allocUnsafe(BUFFER_SIZE);
    let used = 0;
    for (const row of rows) {
      const xml = this.rowXml(cellsOf ? cellsOf(row) : (row as readonly Cell[]), '');
      if (used + xml.length > buf.length) {
        if (used > 0) await this.sheet.write(buf.subarray(0, used));
        buf = Buffer.allocUnsafe(Math.max(BUFFER_SIZE, xml.length));
        used = 0;
      }
      used += buf.write(xml, used, 'latin1');
    }
    if (used > 0) await this.sheet.write(buf.subarray(0, used));
  }

  get rows(): number {
    return Math.max(0, this.rowNumber - 1);
  }

  /** Gives the file up after a failure: what was written is garbage, the compressor is freed. */
  abort(): void {
    this.sheet.abort();
  }

  /** Ends the sheet and the archive; the output stream is left open for the caller to end. */
  async finish(): Promise<void> {
    await this.sheet.write('</sheetData></worksheet>');
    await this.sheet.close();
    await this.zip.finish();
  }

  private rowXml(row: readonly Cell[], style: string): string {
    const r = ++this.rowNumber;
    // what follows the column letters in every text cell of this row (millions of rows: fewer pieces)
    const text = `${r}"${style} t="inlineStr"><is><t>`;
    let xml = `<row r="${r}">`;
    for (let i = 0; i < row.length && i < this.refs.length; i++) {
      const v = row[i];
      if (v === null || v === undefined || v === '') continue;
      if (typeof v === 'number') {
        if (Number.isFinite(v)) xml += `${this.refs[i]}${r}"${style}><v>${v}</v></c>`;
      } else if (v.charCodeAt(0) <= 32 || v.charCodeAt(v.length - 1) <= 32) {
        xml += `${this.refs[i]}${r}"${style} t="inlineStr"><is><t xml:space="preserve">${escapeXml(v)}</t></is></c>`;
      } else {
        xml += this.refs[i] + text + escapeXml(v) + '</t></is></c>';
      }
    }
    return xml + '</row>';
  }
}
