// A small, strict XML reader for fake vendors that receive XML bodies (Route 53): elements, attributes,
// text with the five predefined entities and character references. No DTDs, CDATA or processing
// instructions beyond the declaration — what AWS SDKs send. Throws on anything malformed.

export interface XmlNode {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: XmlNode[];
  /** Text content of a leaf element (entities resolved); "" for elements with children. */
  text: string;
}

const ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

function decode(s: string): string {
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|[a-z]+);/g, (whole, ref: string) => {
    if (ref.startsWith("#x")) return String.fromCodePoint(parseInt(ref.slice(2), 16));
    if (ref.startsWith("#")) return String.fromCodePoint(parseInt(ref.slice(1), 10));
    const e = ENTITIES[ref];
    if (e === undefined) throw new Error(`unknown entity ${whole}`);
    return e;
  });
}

export function parseXml(src: string): XmlNode {
  const body = src.replace(/^\s*<\?xml[^?]*\?>/, "");
  const stack: XmlNode[] = [];
  let root: XmlNode | undefined;
  const tag = /<(\/?)([A-Za-z_][\w.-]*)((?:\s+[\w:.-]+\s*=\s*"[^"]*")*)\s*(\/?)>|([^<]+)/gy;
  let m: RegExpExecArray | null;
  let at = 0;
  while (at < body.length && (m = tag.exec(body)) !== null) {
    at = tag.lastIndex;
    const [, closing, name, attrText, selfClosing, text] = m;
    const top = stack[stack.length - 1];
    if (text !== undefined) {
      if (top === undefined) {
        if (text.trim() !== "") throw new Error("text outside the root element");
      } else top.text += decode(text);
      continue;
    }
    if (closing === "/") {
      if (top === undefined || top.name !== name) throw new Error(`unexpected </${name}>`);
      stack.pop();
      if (top.children.length > 0) top.text = "";
      continue;
    }
    const attrs: Record<string, string> = {};
    for (const a of (attrText ?? "").matchAll(/([\w:.-]+)\s*=\s*"([^"]*)"/g))
      attrs[a[1] ?? ""] = decode(a[2] ?? "");
    const node: XmlNode = { name: name ?? "", attrs, children: [], text: "" };
    if (top === undefined) {
      if (root !== undefined) throw new Error("more than one root element");
      root = node;
    } else top.children.push(node);
    if (selfClosing !== "/") stack.push(node);
  }
  if (at < body.length) throw new Error(`unreadable XML at offset ${at}`);
  if (root === undefined || stack.length > 0) throw new Error("unterminated XML document");
  return root;
}

export function xmlChild(n: XmlNode | undefined, name: string): XmlNode | undefined {
  return n?.children.find((c) => c.name === name);
}

export function xmlChildren(n: XmlNode | undefined, name: string): XmlNode[] {
  return n?.children.filter((c) => c.name === name) ?? [];
}

export function xmlText(n: XmlNode | undefined, name: string): string | undefined {
  return xmlChild(n, name)?.text;
}
