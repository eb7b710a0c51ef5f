import type { IncomingMessage, ServerResponse } from "node:http";
import { type AdapterLabel, recordRequest } from "../../observability/index.js";
import type { ResolvedHttpOptions } from "./http-options.js";

/** What the handlers tell the access log and the metrics about the response they gave. */
export interface RequestNotes {
  /** The adapter whose router the request entered last (the pages hand JSON clients on to the API). */
  adapter?: AdapterLabel;
  /** The route's pattern, where `req.route` does not say it (assets, the fallback). */
  route?: string;
  /** The error code answered, as a JSON error or an error page. */
  errorCode?: string;
  /** The response is a stream: it has open and close lines of its own, not an access line. */
  stream?: boolean;
}

/** Kept beside the response, not on it: a stream served outside express has no `res.locals`. */
const notesByResponse = new WeakMap<ServerResponse, RequestNotes>();

export function notesOf(res: ServerResponse): RequestNotes {
  let found = notesByResponse.get(res);
  if (found === undefined) {
    found = {};
    notesByResponse.set(res, found);
  }
  return found;
}

/** A request as express leaves it: the route it matched, if any. */
type RoutedRequest = IncomingMessage & { route?: { path?: unknown } };

/** The route's pattern for logs and labels, never the raw path (which may hold a token): `unmatched` without one. */
export function routeOf(req: RoutedRequest, res: ServerResponse): string {
  return notesOf(res).route ?? (req.route?.path as string | undefined) ?? "unmatched";
}

/**
 * Labels requests with `adapter` and, for a request no earlier router took
 * in, writes its access line, its histogram sample and its error count once
 * the response is over. Express middleware, and as plain a function as that.
 */
export function observeRequests(
  adapter: AdapterLabel,
  { logger, metrics }: Pick<ResolvedHttpOptions, "logger" | "metrics">,
): (req: RoutedRequest, res: ServerResponse, next: () => void) => void {
  return (req, res, next) => {
    const notes = notesOf(res);
    const seen = notes.adapter !== undefined;
    notes.adapter = adapter;
    if (!seen) {
      const started = performance.now();
      // `on`, not `once`: 'close' comes once, and a stream keeps this listener for its life.
      res.on("close", () => {
        const answeredBy = notes.adapter ?? adapter;
        if (notes.errorCode !== undefined) metrics?.requestError(answeredBy, notes.errorCode);
        if (notes.stream === true) return;
        const request = {
          adapter: answeredBy,
          route: routeOf(req, res),
          method: req.method ?? "",
          status: String(res.statusCode),
          seconds: (performance.now() - started) / 1000,
        };
        recordRequest(logger, metrics, request, Number(res.getHeader("content-length") ?? 0));
      });
    }
    next();
  };
}
