import type { Express } from "express";

/** The parts of Express's router layers that tell which methods a path has. */
interface RouterLayer {
  readonly route?: { readonly methods: Readonly<Record<string, boolean>> };
  readonly handle: { readonly stack?: readonly RouterLayer[] };
  match(path: string): unknown;
}

/**
 * The methods the app's routes answer for `path` (sorted, HEAD wherever GET
 * is), read from the routers themselves so the `Allow` of a 405 can never
 * drift from the routes; empty when no route has the path.
 */
export function allowedMethods(app: Express, path: string): string[] {
  const methods = new Set<string>();
  const visit = (stack: readonly RouterLayer[]) => {
    for (const layer of stack) {
      if (!layer.match(path)) continue;
      if (layer.route !== undefined) {
        for (const method of Object.keys(layer.route.methods)) methods.add(method.toUpperCase());
      } else if (layer.handle.stack !== undefined) {
        visit(layer.handle.stack);
      }
    }
  };
  visit((app as unknown as { router: { stack: readonly RouterLayer[] } }).router.stack);
  methods.delete("_ALL");
  if (methods.has("GET")) methods.add("HEAD");
  return [...methods].sort();
}
