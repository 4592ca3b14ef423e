/**
 * The meeting page's marks, drawn as SVG (24 × 24, stroked in the text colour) so that nothing depends on
 * a font having the glyph: headless and minimal systems have no emoji font and draw boxes instead.
 */
const PATHS = {
  mic: '<path d="M12 3a3 3 0 0 0-3 3v6a3 3 0 0 0 6 0V6a3 3 0 0 0-3-3z"/><path d="M5 11a7 7 0 0 0 14 0M12 18v3"/>',
  micOff: '<path d="M12 3a3 3 0 0 0-3 3v6a3 3 0 0 0 6 0V6a3 3 0 0 0-3-3z"/><path d="M5 11a7 7 0 0 0 14 0M12 18v3"/><path d="M3 3l18 18" stroke="#f54a45"/>',
  cam: '<rect x="3" y="6" width="13" height="12" rx="2"/><path d="M16 10.5l5-3v9l-5-3z"/>',
  camOff: '<rect x="3" y="6" width="13" height="12" rx="2"/><path d="M16 10.5l5-3v9l-5-3z"/><path d="M3 3l18 18" stroke="#f54a45"/>',
  screen: '<rect x="3" y="4" width="18" height="12" rx="2"/><path d="M8 20h8M12 16v4"/>',
  chat: '<path d="M4 5h16v11H10l-5 4v-4H4z"/>',
  people: '<circle cx="9" cy="8" r="3"/><path d="M3 20a6 6 0 0 1 12 0"/><circle cx="17" cy="9" r="2.5"/><path d="M16 14a5 5 0 0 1 5 6"/>',
  hand: '<path d="M8 13V6a1.5 1.5 0 0 1 3 0v5M11 11V4.5a1.5 1.5 0 0 1 3 0V11M14 11V6a1.5 1.5 0 0 1 3 0v8a6 6 0 0 1-6 6h-1a6 6 0 0 1-5-2.7l-2.6-4a1.5 1.5 0 0 1 2.5-1.6L8 14"/>',
  smile: '<circle cx="12" cy="12" r="9"/><path d="M8 14a5 5 0 0 0 8 0M9 9.5v.5M15 9.5v.5"/>',
  grid: '<rect x="3" y="3" width="8" height="8" rx="1"/><rect x="13" y="3" width="8" height="8" rx="1"/><rect x="3" y="13" width="8" height="8" rx="1"/><rect x="13" y="13" width="8" height="8" rx="1"/>',
  speaker: '<rect x="3" y="3" width="18" height="12" rx="1"/><rect x="3" y="17.5" width="5" height="3.5" rx="1"/><rect x="9.5" y="17.5" width="5" height="3.5" rx="1"/><rect x="16" y="17.5" width="5" height="3.5" rx="1"/>',
  leave: '<path d="M14 4h5v16h-5M10 8l-4 4 4 4M6 12h10"/>',
  end: '<path d="M3 14.5c5-5 13-5 18 0l-2.5 3-3.5-1.2V13.5c-2-.8-4-.8-6 0v2.8L5.5 17.5z"/>',
  record: '<circle cx="12" cy="12" r="8"/><circle cx="12" cy="12" r="4" fill="currentColor"/>',
  close: '<path d="M6 6l12 12M18 6L6 18"/>',
  send: '<path d="M4 12l16-8-6 16-3-6.5z"/>',
  thumbs_up: '<path d="M7 11v9H4v-9z" fill="#ffc60a" stroke="#b7860b"/><path d="M7 11l4-8a2 2 0 0 1 3 2l-1 5h6a2 2 0 0 1 2 2.3l-1.6 7A2 2 0 0 1 17.4 20H7z" fill="#ffc60a" stroke="#b7860b"/>',
  clap: '<path d="M8 21l-4-6 1-8 2 1v5l6-6a1.5 1.5 0 0 1 2 2l-3 3 4-4a1.5 1.5 0 0 1 2 2l-4 4 3-2a1.5 1.5 0 0 1 2 2l-5 5a6 6 0 0 1-6 2z" fill="#ffc60a" stroke="#b7860b"/><path d="M15 2v2M19 3l-1 2M21 7h-2" stroke="#ffc60a"/>',
  heart: '<path d="M12 20s-8-5-8-11a4.5 4.5 0 0 1 8-2.5A4.5 4.5 0 0 1 20 9c0 6-8 11-8 11z" fill="#f54a45" stroke="#c02a25"/>',
  laugh: '<circle cx="12" cy="12" r="9" fill="#ffc60a" stroke="#b7860b"/><path d="M7 13h10a5 5 0 0 1-10 0z" fill="#7a3e00" stroke="#7a3e00"/><path d="M7.5 8.5l2 1.2-2 1.2M16.5 8.5l-2 1.2 2 1.2" stroke="#7a3e00"/>',
  surprised: '<circle cx="12" cy="12" r="9" fill="#ffc60a" stroke="#b7860b"/><circle cx="12" cy="15.5" r="2.2" fill="#7a3e00" stroke="#7a3e00"/><circle cx="9" cy="9.5" r="1" fill="#7a3e00" stroke="none"/><circle cx="15" cy="9.5" r="1" fill="#7a3e00" stroke="none"/>',
  celebrate: '<path d="M4 20l4.5-12 7.5 7.5z" fill="#ffc60a" stroke="#b7860b"/><path d="M14 3v3M20 9h-3M18.5 4.5l-2 2M12 8.5c1-2 3-2 4-4M16 12c2-1 3.5-.5 5 .5" stroke="#3370ff"/>',
} as const;

export type IconName = keyof typeof PATHS;

/** An icon as markup; `cls` names it for tests and styles. */
export function icon(name: IconName, cls = ''): string {
  return `<svg class="icon ${cls || name}" viewBox="0 0 24 24" width="20" height="20" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">${PATHS[name]}</svg>`;
}

/** Every icon's inner markup, for the page script to draw marks that come and go. */
export const ICON_PATHS: Record<IconName, string> = PATHS;

/** The tab icon: a camera on openvc blue. */
export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#3370ff"/><rect x="5" y="10" width="15" height="12" rx="2.5" fill="#fff"/><path d="M21 14.5l6-3.5v10l-6-3.5z" fill="#fff"/></svg>`;
