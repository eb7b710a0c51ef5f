export { createHtmlRouter, createNotFoundPage, type HtmlRouterOptions } from "./routes.js";
