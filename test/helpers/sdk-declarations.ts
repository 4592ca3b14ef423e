/**
 * The official SDK's declared shapes, read from its `types/index.d.ts` with the TypeScript compiler API:
 * each `client.vc.<resource>.<method>`'s response `data`, and each `vc.*` event's payload as the SDK's
 * EventDispatcher hands it to a handler. The conformance test walks real responses against them.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import ts from 'typescript';

/** A declared shape: an object with its fields, an array of elements, or a leaf value. */
export type Shape = { kind: 'object'; fields: Map<string, Shape> } | { kind: 'array'; element: Shape } | { kind: 'leaf' };

export interface Declarations {
  /** `<resource>.<method>` → the declared `data` of the response */
  methods: Map<string, Shape>;
  /** event type → the declared handler payload */
  events: Map<string, Shape>;
}

const LEAF: Shape = { kind: 'leaf' };

function nameOf(n: ts.PropertyName): string {
  return ts.isIdentifier(n) || ts.isStringLiteral(n) ? n.text : n.getText();
}

/** A type node as a shape: `T | undefined` is T, `T[]` and `Array<T>` arrays, type literals objects. */
function shapeOf(t: ts.TypeNode | undefined): Shape {
  if (!t) return LEAF;
  if (ts.isParenthesizedTypeNode(t)) return shapeOf(t.type);
  if (ts.isUnionTypeNode(t)) {
    const defined = t.types.filter((m) => m.kind !== ts.SyntaxKind.UndefinedKeyword && !(ts.isLiteralTypeNode(m) && m.literal.kind === ts.SyntaxKind.NullKeyword));
    const structured = defined.find((m) => ts.isTypeLiteralNode(m) || ts.isArrayTypeNode(m) || (ts.isTypeReferenceNode(m) && m.typeName.getText() === 'Array'));
    return shapeOf(structured ?? defined[0]);
  }
  if (ts.isArrayTypeNode(t)) return { kind: 'array', element: shapeOf(t.elementType) };
  if (ts.isTypeReferenceNode(t) && t.typeName.getText() === 'Array') return { kind: 'array', element: shapeOf(t.typeArguments?.[0]) };
  if (ts.isTypeLiteralNode(t)) {
    const fields = new Map<string, Shape>();
    for (const m of t.members) if (ts.isPropertySignature(m) && m.name) fields.set(nameOf(m.name), shapeOf(m.type));
    return { kind: 'object', fields };
  }
  return LEAF;
}

const member = (t: ts.TypeLiteralNode, name: string) => t.members.find((m): m is ts.PropertySignature => ts.isPropertySignature(m) && nameOf(m.name) === name);

/** The `data` of `Promise<{code, msg, data}>`, the declared return of an SDK method. */
function responseData(fn: ts.FunctionTypeNode): Shape | undefined {
  const ret = fn.type;
  if (!ts.isTypeReferenceNode(ret) || ret.typeName.getText() !== 'Promise') return undefined;
  const body = ret.typeArguments?.[0];
  if (!body || !ts.isTypeLiteralNode(body)) return undefined;
  const data = member(body, 'data');
  return data ? shapeOf(data.type) : undefined;
}

let cached: Declarations | undefined;

/**
 * The two parts of the 300,000-line file that matter, cut out as text (parsing the whole file takes ~20 s):
 * the client's `vc: {…}` namespace (the first one holding `meeting.changeName`), and every `"vc.…"` handler.
 */
function excerpt(text: string): string {
  let vc = '';
  for (let at = text.indexOf('\n    vc: {'); at >= 0 && !vc; at = text.indexOf('\n    vc: {', at + 1)) {
    const end = text.indexOf('\n    };', at);
    const part = text.slice(at, end + '\n    };'.length);
    if (part.includes('changeName:')) vc = part;
  }
  const handlers = text.match(/\n {4}"vc\.[a-z_.0-9]+"\?: \(data: \{[\s\S]*?\n {4}\}\) => Promise<any> \| any;/g) ?? [];
  return `interface VcClient {${vc}\n}\ninterface VcHandles {${handlers.join('')}\n}\n`;
}

/** Reads the installed SDK's declarations once per process. */
export function sdkDeclarations(): Declarations {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const file = join(dirname(require.resolve('@larksuiteoapi/node-sdk/package.json')), 'types', 'index.d.ts');
  const source = ts.createSourceFile('vc.d.ts', excerpt(readFileSync(file, 'utf8')), ts.ScriptTarget.Latest, true);
  const methods = new Map<string, Shape>();
  const events = new Map<string, Shape>();

  const visit = (node: ts.Node): void => {
    if (ts.isPropertySignature(node)) {
      const name = nameOf(node.name);
      if (name === 'vc' && node.type && ts.isTypeLiteralNode(node.type)) {
        for (const resource of node.type.members) {
          if (!ts.isPropertySignature(resource) || !resource.type || !ts.isTypeLiteralNode(resource.type)) continue;
          for (const method of resource.type.members) {
            if (!ts.isPropertySignature(method) || !method.type || !ts.isFunctionTypeNode(method.type)) continue;
            const methodName = nameOf(method.name);
            if (methodName.endsWith('WithIterator')) continue;
            const data = responseData(method.type);
            if (data) methods.set(`${nameOf(resource.name)}.${methodName}`, data);
          }
        }
        return;
      }
      if (name.startsWith('vc.') && node.type && ts.isFunctionTypeNode(node.type)) {
        const param = node.type.parameters[0];
        if (param?.type && !events.has(name)) events.set(name, shapeOf(param.type));
        return;
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  cached = { methods, events };
  return cached;
}

/** A declared field the JSON does not carry: its dotted path (`[]` for an array's elements). */
export interface FieldCheck {
  path: string;
  present: boolean;
}

/**
 * Every declared field of `shape` against `value`: object fields must be present (any value but
 * `undefined`); arrays are checked through their elements when they have any (an empty array adds no
 * fields), and a field under an absent object counts as absent too.
 */
export function walkDeclared(shape: Shape, value: unknown, path = ''): FieldCheck[] {
  const out: FieldCheck[] = [];
  if (shape.kind === 'object') {
    const obj = value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
    for (const [k, sub] of shape.fields) {
      const p = path ? `${path}.${k}` : k;
      const v = obj?.[k];
      out.push({ path: p, present: obj !== undefined && v !== undefined });
      out.push(...walkDeclared(sub, v, p));
    }
  } else if (shape.kind === 'array') {
    const items = Array.isArray(value) ? value : [];
    // Every element is checked; a field counts once per path, present when an element has it (elements of
    // one list may differ by design, e.g. each level's own scope configuration holds only what it sets).
    const byPath = new Map<string, boolean>();
    for (const item of items) for (const c of walkDeclared(shape.element, item, `${path}[]`)) byPath.set(c.path, (byPath.get(c.path) ?? false) || c.present);
    for (const [p, present] of byPath) out.push({ path: p, present });
  }
  return out;
}
