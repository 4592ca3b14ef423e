/**
 * Limits on the shape of a JSON body, checked on its text before it is parsed: free-form parts (a
 * client's `device`, quality samples) are stored and rendered by recursive code, which a 100k-deep body
 * would overflow. No request of the contract comes near them (docs/decisions.md "Bad input").
 */
export const MAX_JSON_DEPTH = 32;
export const MAX_JSON_MEMBERS = 10_000;

/** What is wrong with the shape of `text`, or undefined when it is within the limits (its syntax is JSON.parse's business). */
export function jsonShapeProblem(text: string): string | undefined {
  // members[i]: how many separators the i-th open object or array has seen so far
  const members: number[] = [];
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b || c === 0x5b) {
      if (members.length >= MAX_JSON_DEPTH) return `body nests objects and arrays deeper than ${MAX_JSON_DEPTH} levels`;
      members.push(0);
    } else if (c === 0x7d || c === 0x5d) {
      members.pop();
    } else if (c === 0x2c && members.length > 0) {
      // n separators: n + 1 members
      const n = members[members.length - 1]! + 1;
      if (n >= MAX_JSON_MEMBERS) return `an object or array in body has more than ${MAX_JSON_MEMBERS} members`;
      members[members.length - 1] = n;
    }
  }
  return undefined;
}
