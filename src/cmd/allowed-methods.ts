import type { Express } from "express";

/** The parts of Express's router layers that tell which methods a path has. */
interface RouterLayer {
  readonly route?: { readonly path: unknown; readonly methods: Readonly<Record<string, boolean>> };
  readonly handle: { readonly stack?: readonly RouterLayer[] };
  match(path: string): unknown;
}

const STREAM_ROUTE = "/stream/:roomId";

/** The routes that have a path: their pattern and the methods they answer. */
export interface PathRoutes {
  /** Sorted, HEAD wherever GET is; empty when no route has the path. */
  readonly methods: string[];
  /** The first matching route's pattern (`/room/:roomId`), for the access line and metrics. */
  readonly pattern: string | undefined;
}

/**
 * The methods the app's routes answer for `path`, read from the routers
 * themselves so the `Allow` of a 405 can never drift from the routes.
 */
export function routesAt(app: Express, path: string): PathRoutes {
  const methods = new Set<string>();
  let pattern: string | undefined;
  const visit = (stack: readonly RouterLayer[]) => {
    for (const layer of stack) {
      if (!layer.match(path)) continue;
      if (layer.route !== undefined) {
        if (typeof layer.route.path === "string") pattern ??= layer.route.path;
        for (const method of Object.keys(layer.route.methods)) methods.add(method.toUpperCase());
      } else if (layer.handle.stack !== undefined) {
        visit(layer.handle.stack);
      }
    }
  };
  visit((app as unknown as { router: { stack: readonly RouterLayer[] } }).router.stack);
  methods.delete("_ALL");
  // Express answers HEAD wherever GET is, except a stream: it refuses HEAD itself (sse-stream.ts).
  if (methods.has("GET") && pattern !== STREAM_ROUTE) methods.add("HEAD");
  return { methods: [...methods].sort(), pattern };
}
