import { fieldError } from '../../contract/errors.js';

/** Longest chat message, in characters (code points) once trimmed. */
export const CHAT_TEXT_MAX = 1000;
/** The reactions a participant can send; clients draw each (the page: SVG, no emoji font needed). */
export const REACTIONS = ['thumbs_up', 'clap', 'heart', 'laugh', 'surprised', 'celebrate'] as const;
export type Reaction = (typeof REACTIONS)[number];

export type ChatInput = { kind: 'text'; text: string } | { kind: 'reaction'; reaction: string } | { kind: 'hand'; raised: boolean };
/** What is kept: `content` is the text, the reaction's name, or `up` / `down` for a hand. */
export interface ChatEntry {
  kind: 'text' | 'reaction' | 'hand';
  content: string;
}

// Control characters other than tab and newline, and the bidirectional overrides that can make a message
// read differently from what it holds.
// eslint-disable-next-line no-control-regex -- that is the point
const FORBIDDEN = /[\u0000-\u0008\u000b-\u001f\u007f\u202a-\u202e\u2066-\u2069]/;

/**
 * Checks what a participant sends to the chat. Text is kept as the sender wrote it (trimmed): it is text,
 * never markup, and every client shows it as such; markup characters are not refused.
 */
export function chatEntry(input: ChatInput): ChatEntry {
  switch (input.kind) {
    case 'text': {
      const text = input.text.trim();
      if (text === '') throw fieldError('text', 'the message is empty');
      if ([...text].length > CHAT_TEXT_MAX) throw fieldError('text', `the message is longer than ${CHAT_TEXT_MAX} characters`);
      if (FORBIDDEN.test(text)) throw fieldError('text', 'the message holds control characters');
      return { kind: 'text', content: text };
    }
    case 'reaction':
      if (!(REACTIONS as readonly string[]).includes(input.reaction)) throw fieldError('reaction', `unknown reaction; one of ${REACTIONS.join(', ')}`, input.reaction);
      return { kind: 'reaction', content: input.reaction };
    case 'hand':
      return { kind: 'hand', content: input.raised ? 'up' : 'down' };
  }
}
