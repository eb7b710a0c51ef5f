export { createHtmlRouter, type HtmlRouterOptions } from "./routes.js";
