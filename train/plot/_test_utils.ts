/**
 * Test-only helpers for the chart tests: a strict XML parse of an SVG
 * document. Not imported by any library file (it uses an npm package), so
 * the charts still load by URL.
 *
 * @module
 */

import { DOMParser, type Element } from "@xmldom/xmldom";

/** A parsed SVG document's root element. */
export type SvgRoot = Element;

/**
 * Parses an SVG document, failing on any well-formedness error or warning
 * (mismatched tags, duplicate or unquoted attributes, unknown entities, bare
 * `<` or `&`), and checks that the root is `<svg>` in the SVG namespace.
 *
 * @param svg The document.
 * @returns The root element.
 */
export function parseSvg(svg: string): SvgRoot {
  const doc = new DOMParser({
    onError: (level: string, message: string) => {
      throw new SyntaxError(`The SVG is not well-formed XML (${level}): ${message}`);
    },
  }).parseFromString(svg, "image/svg+xml");
  const root = doc.documentElement;
  if (root === null || root.nodeName !== "svg" || root.namespaceURI !== "http://www.w3.org/2000/svg") {
    throw new SyntaxError(`The document's root must be <svg> in the SVG namespace: current root is ${root?.nodeName}`);
  }
  return root;
}

/**
 * The descendants of `root` with this tag name and (optionally) class.
 *
 * @param root The element to search.
 * @param tag The tag name (`"g"`, `"path"`).
 * @param className A class the element must have.
 * @returns The matching elements, in document order.
 */
export function elements(root: SvgRoot, tag: string, className?: string): Element[] {
  return Array.from(root.getElementsByTagName(tag)).filter((e) =>
    className === undefined || (e.getAttribute("class") ?? "").split(/\s+/).includes(className)
  );
}
