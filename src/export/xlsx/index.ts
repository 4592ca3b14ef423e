export { XlsxWriter, type Cell, type SheetOptions } from './workbook.js';
export { ZipTooLarge } from './zip.js';
